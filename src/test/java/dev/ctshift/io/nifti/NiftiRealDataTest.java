package dev.ctshift.io.nifti;

import static dev.ctshift.io.nifti.NiftiTestSupport.real;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the real TotalSegmentator files in {@code ../shared/data/real} (skipped when absent). Expected
 * geometry is what nibabel reports for these files; HU ranges are those plausible for CT.
 */
class NiftiRealDataTest {
  @TempDir Path dir;

  private static NiftiImage readReal(String name) throws Exception {
    Path file = real(name);
    assumeTrue(Files.exists(file), "real data not present: " + file);
    return NiftiReader.read(file);
  }

  private static void assertSpacing(Volume v, double... mm) {
    assertArrayEquals(mm, v.spacing(), 1e-6);
  }

  @Test
  void abdomenPelvisCt() throws Exception {
    NiftiImage image = readReal("totalseg-abdomen-pelvis.nii.gz");
    Volume v = image.volume(0);
    assertEquals(NiftiDatatype.INT32, image.datatype());
    assertArrayEquals(new int[] {122, 101, 112}, v.dims());
    assertSpacing(v, 3, 3, 3);
    assertEquals("RAS", v.orientation());
    assertEquals(2, image.sformCode());
    assertArrayEquals(new double[] {-177.95632935, 11.31900024, 94.30175781}, v.origin(), 1e-5);
    assertHounsfieldRange(v);
    assertWriteReadKeepsGeometryAndValues(image, "pelvis.nii.gz");
  }

  @Test
  void upperAbdomenCtAndItsLabels() throws Exception {
    NiftiImage ct = readReal("totalseg-upper-abdomen.nii.gz");
    NiftiImage labels = readReal("totalseg-upper-abdomen-labels.nii.gz");
    assertEquals(NiftiDatatype.INT16, ct.datatype());
    assertEquals(NiftiDatatype.UINT8, labels.datatype());
    Volume v = ct.volume(0);
    assertArrayEquals(new int[] {122, 101, 30}, v.dims());
    assertSpacing(v, 3, 3, 3);
    assertEquals("RAS", v.orientation());
    assertHounsfieldRange(v);
    assertTrue(labels.volume(0).sameGeometry(v, 1e-6), "labels overlay the CT");
    assertLabelRange(labels.volume(0));
    assertWriteReadKeepsGeometryAndValues(ct, "upper.nii");
    assertWriteReadKeepsGeometryAndValues(labels, "upper-labels.nii.gz");
  }

  @Test
  void dicomLabelsAreLasWithAnisotropicSpacing() throws Exception {
    NiftiImage labels = readReal("totalseg-abdomen-dicom-labels.nii.gz");
    Volume v = labels.volume(0);
    assertEquals(NiftiDatatype.UINT8, labels.datatype());
    assertArrayEquals(new int[] {512, 512, 20}, v.dims());
    assertSpacing(v, 0.9765625, 0.9765625, 2);
    assertEquals("LAS", v.orientation());
    assertArrayEquals(new double[] {249.51171875, -61.51171875, -804.5}, v.origin(), 1e-5);
    assertLabelRange(v);
    assertWriteReadKeepsGeometryAndValues(labels, "dicom-labels.nii.gz");
  }

  private static void assertHounsfieldRange(Volume v) {
    float[] range = v.range();
    assertTrue(range[0] > -1300 && range[0] < -900, "min HU near air: " + range[0]);
    assertTrue(range[1] > 500 && range[1] < 4000, "max HU bone-like: " + range[1]);
  }

  private static void assertLabelRange(Volume v) {
    float[] range = v.range();
    assertEquals(0, range[0]);
    assertTrue(range[1] >= 1 && range[1] <= 255, "label range " + range[1]);
    for (float value : v.data()) {
      assertEquals(Math.rint(value), value, 0, "labels are whole numbers");
    }
  }

  /** Written in the input's own encoding, the file reads back identically (lossless). */
  private void assertWriteReadKeepsGeometryAndValues(NiftiImage image, String name) throws Exception {
    Path out = dir.resolve(name);
    NiftiWriter.write(out, image.volume(0), NiftiWriter.Options.like(image));
    NiftiImage back = NiftiReader.read(out);
    assertEquals(image.datatype(), back.datatype());
    assertEquals(0, Affine.maxAbsDiff(image.affine(), back.affine()), 0);
    assertArrayEquals(image.volume(0).data(), back.volume(0).data(), 0);
    assertEquals(image.volume(0).orientation(), back.volume(0).orientation());
  }
}
