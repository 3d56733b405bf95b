package dev.ctshift.io.nifti;

import static dev.ctshift.io.nifti.NiftiTestSupport.obliqueAffine;
import static dev.ctshift.io.nifti.NiftiTestSupport.patchHeader;
import static dev.ctshift.io.nifti.NiftiTestSupport.randomVolume;
import static dev.ctshift.io.nifti.NiftiTestSupport.toFloat32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Write then read: values, affine (sform and qform) and header facts survive for every datatype. */
class NiftiRoundTripTest {
  @TempDir Path dir;

  static Stream<Arguments> datatypesAndSuffixes() {
    return Stream.of(NiftiDatatype.values())
        .flatMap(t -> Stream.of(Arguments.of(t, ".nii"), Arguments.of(t, ".nii.gz")));
  }

  /** Stored-then-read value by the documented rule, computed independently of the writer. */
  private static float expected(float v, NiftiDatatype type, double slope, double inter) {
    double s = (v - inter) / slope;
    if (type.isInteger()) {
      s = Math.max(type.min(), Math.min(type.max(), Math.rint(s)));
    } else if (type == NiftiDatatype.FLOAT32) {
      s = (float) s;
    }
    return (float) (s * slope + inter);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("datatypesAndSuffixes")
  void valuesAndAffineSurvive(NiftiDatatype type, String suffix) throws Exception {
    // Range beyond every integer type so that clamping is exercised at both ends.
    Volume v = randomVolume(7, 5, 4, -70000, 70000, obliqueAffine(true), 11);
    v.data()[0] = -3.5f; // ties round to even
    v.data()[1] = 2.5f;
    v.data()[2] = 1e10f;
    v.data()[3] = -1e10f;
    Path file = dir.resolve("rt" + suffix);
    NiftiWriter.write(file, v, NiftiWriter.Options.defaults().withDatatype(type).withDescription("round trip"));

    NiftiImage image = NiftiReader.read(file);
    assertEquals(type, image.datatype());
    assertEquals("round trip", image.description());
    assertEquals(1, image.volumeCount());
    assertArrayEquals(v.dims(), image.dims());
    assertEquals(0, Affine.maxAbsDiff(toFloat32(v.affine()), image.affine()), 1e-12);
    float[] got = image.volume(0).data();
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected(v.data()[i], type, 1, 0), got[i], 0, "voxel " + i);
    }
    if (type.isInteger()) {
      assertEquals((float) Math.max(type.min(), -4), got[0]);
      assertEquals(2, got[1]);
      assertEquals((float) type.max(), got[2]);
      assertEquals((float) type.min(), got[3]);
    }
  }

  @Test
  void scalingStoresQuantisedValues() throws Exception {
    Volume v = randomVolume(6, 6, 3, -1024, 3000, obliqueAffine(false), 5);
    Path file = dir.resolve("scaled.nii.gz");
    NiftiWriter.write(file, v, NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16).withScaling(0.5, -1000));
    NiftiImage image = NiftiReader.read(file);
    assertEquals(0.5, image.sclSlope());
    assertEquals(-1000, image.sclInter());
    assertTrue(image.isScaled());
    float[] got = image.volume(0).data();
    for (int i = 0; i < got.length; i++) {
      assertEquals(expected(v.data()[i], NiftiDatatype.INT16, 0.5, -1000), got[i], 0, "voxel " + i);
      assertEquals(Math.rint(got[i] * 2), got[i] * 2, 0, "multiple of the slope");
    }
  }

  @ParameterizedTest(name = "left-handed={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void qformAloneReproducesTheAffine(boolean leftHanded) throws Exception {
    Volume v = randomVolume(4, 3, 2, 0, 1, obliqueAffine(leftHanded), 3);
    Path file = dir.resolve("q.nii");
    NiftiWriter.write(file, v, NiftiWriter.Options.defaults());
    NiftiImage both = NiftiReader.read(file);
    assertEquals(1, both.qformCode());
    assertEquals(1, both.sformCode());
    patchHeader(file, b -> b.putShort(254, (short) 0)); // drop the sform: the qform must carry the geometry
    NiftiImage qOnly = NiftiReader.read(file);
    assertEquals(0, qOnly.sformCode());
    assertEquals(0, Affine.maxAbsDiff(v.affine(), qOnly.affine()), 1e-5);
    assertEquals(leftHanded ? "RAI" : "RAS", qOnly.volume(0).orientation());
  }

  @Test
  void shearedAffineKeepsExactSformAndNearestRotationQform() throws Exception {
    double[][] sheared = {{0.7, 0.2, 0, 1}, {0, 0.7, 0.3, 2}, {0.1, 0, 2, 3}, {0, 0, 0, 1}};
    Volume v = randomVolume(3, 3, 3, 0, 1, sheared, 4);
    Path file = dir.resolve("shear.nii");
    NiftiWriter.write(file, v, NiftiWriter.Options.defaults());
    assertEquals(0, Affine.maxAbsDiff(toFloat32(sheared), NiftiReader.read(file).affine()), 1e-12);

    patchHeader(file, b -> b.putShort(254, (short) 0));
    double[][] q = NiftiReader.read(file).affine();
    double[] norms = Affine.columnNorms(sheared);
    double[] qNorms = Affine.columnNorms(q);
    for (int c = 0; c < 3; c++) {
      assertEquals(norms[c], qNorms[c], 1e-5, "voxel size of axis " + c);
      for (int d = 0; d < 3; d++) {
        double dot = 0;
        for (int r = 0; r < 3; r++) {
          dot += q[r][c] * q[r][d] / (qNorms[c] * qNorms[d]);
        }
        assertEquals(c == d ? 1 : 0, dot, 1e-5, "qform columns orthonormal");
      }
    }
    assertEquals(0, Affine.maxAbsDiff(sheared, q), 0.35, "qform close to the sheared affine");
  }

  @Test
  void fourDSeriesKeepsFramesInOrder() throws Exception {
    double[][] a = obliqueAffine(false);
    List<Volume> frames = List.of(
        randomVolume(4, 3, 2, -5, 5, a, 1), randomVolume(4, 3, 2, -5, 5, a, 2), randomVolume(4, 3, 2, -5, 5, a, 3));
    Path file = dir.resolve("series.nii.gz");
    NiftiWriter.write4d(file, frames, NiftiWriter.Options.defaults());

    NiftiImage image = NiftiReader.read(file);
    assertEquals(3, image.volumeCount());
    for (int t = 0; t < 3; t++) {
      assertArrayEquals(frames.get(t).data(), image.volume(t).data(), 0);
      assertTrue(image.volume(t).sameGeometry(frames.get(t), 1e-5));
    }
    assertArrayEquals(frames.get(2).data(), NiftiReader.readVolume(file, 2).data(), 0);
    VolumeReadException e = assertThrows(VolumeReadException.class, () -> NiftiReader.readVolume(file));
    assertTrue(e.getMessage().contains("series.nii.gz") && e.getMessage().contains("4D"), e.getMessage());
    e = assertThrows(VolumeReadException.class, () -> NiftiReader.readVolume(file, 3));
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
  }

  @Test
  void framesOfDifferentGeometryAreRejectedBeforeWriting() {
    List<Volume> frames = List.of(
        randomVolume(4, 3, 2, 0, 1, obliqueAffine(false), 1), randomVolume(4, 3, 2, 0, 1, obliqueAffine(true), 1));
    Path file = dir.resolve("mixed.nii");
    assertThrows(IllegalArgumentException.class, () -> NiftiWriter.write4d(file, frames, NiftiWriter.Options.defaults()));
    assertTrue(Files.notExists(file));
  }

  @Test
  void optionsLikeKeepsTheHeaderFactsOfTheInput() throws Exception {
    Volume v = randomVolume(5, 4, 3, -1000, 1000, obliqueAffine(true), 9);
    Path in = dir.resolve("in.nii");
    NiftiWriter.write(in, v, new NiftiWriter.Options(NiftiDatatype.INT16, 2, -10, "scanner x", 2));
    NiftiImage first = NiftiReader.read(in);
    Path out = dir.resolve("out.nii.gz");
    NiftiWriter.write(out, first.volume(0), NiftiWriter.Options.like(first));
    NiftiImage second = NiftiReader.read(out);
    assertEquals(NiftiDatatype.INT16, second.datatype());
    assertEquals(2, second.sclSlope());
    assertEquals(-10, second.sclInter());
    assertEquals("scanner x", second.description());
    assertEquals(2, second.sformCode());
    assertEquals(2, second.qformCode());
    assertArrayEquals(first.volume(0).data(), second.volume(0).data(), 0);
    assertEquals(0, Affine.maxAbsDiff(first.affine(), second.affine()), 0);
  }

  @Test
  void overwritesAnExistingFileAndLeavesNoTemporaryFiles() throws Exception {
    Path file = dir.resolve("again.nii");
    NiftiWriter.write(file, randomVolume(2, 2, 2, 0, 1, obliqueAffine(false), 1), NiftiWriter.Options.defaults());
    Volume second = randomVolume(3, 2, 2, 0, 1, obliqueAffine(false), 2);
    NiftiWriter.write(file, second, NiftiWriter.Options.defaults());
    assertArrayEquals(second.data(), NiftiReader.readVolume(file).data(), 0);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void optionsRejectInvalidFields() {
    NiftiWriter.Options o = NiftiWriter.Options.defaults();
    assertThrows(IllegalArgumentException.class, () -> o.withDescription("x".repeat(81)));
    assertThrows(IllegalArgumentException.class, () -> o.withScaling(0, 0));
    assertThrows(IllegalArgumentException.class, () -> o.withScaling(Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> o.withXformCode(0));
    assertEquals("x".repeat(80), o.withDescription("x".repeat(80)).description());
  }
}
