package dev.ctshift.io.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import dev.ctshift.volume.Affine;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reads the fixtures written by nibabel ({@code scripts/make_nifti_fixtures.py}) and compares every
 * header fact, the affine and every voxel value with what nibabel reads from the same file.
 */
class NiftiFixtureTest {
  /** One entry of {@code expected.json}, as nibabel saw the file. */
  static final class Expected {
    String file;
    int version;
    boolean bigEndian;
    int datatypeCode;
    int[] dims;
    int qformCode;
    int sformCode;
    double sclSlope;
    double sclInter;
    String description;
    double[][] affine;
    double[] values;

    @Override
    public String toString() {
      return file;
    }
  }

  static List<Expected> fixtures() throws IOException {
    try (Reader r = new InputStreamReader(
        NiftiFixtureTest.class.getResourceAsStream("/nifti/expected.json"), StandardCharsets.UTF_8)) {
      return Arrays.asList(new Gson().fromJson(r, Expected[].class));
    }
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(NiftiFixtureTest.class.getResource("/nifti/" + name).toURI());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void matchesNibabel(Expected e) throws Exception {
    NiftiImage image = NiftiReader.read(resource(e.file));

    assertEquals(e.version, image.version());
    assertEquals(e.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, image.byteOrder());
    assertEquals(e.datatypeCode, image.datatype().code());
    assertArrayEquals(Arrays.copyOf(e.dims, 3), image.dims());
    assertEquals(e.dims[3], image.volumeCount());
    assertEquals(e.qformCode, image.qformCode());
    assertEquals(e.sformCode, image.sformCode());
    assertEquals(e.description, image.description());
    if (e.sclSlope != 1 || e.sclInter != 0) {
      assertEquals(e.sclSlope, image.sclSlope());
      assertEquals(e.sclInter, image.sclInter());
    }
    double[][] affine = image.affine();
    assertEquals(0, Affine.maxAbsDiff(e.affine, affine), 1e-5, () -> Affine.toString(affine));

    int perFrame = e.dims[0] * e.dims[1] * e.dims[2];
    for (int t = 0; t < image.volumeCount(); t++) {
      float[] got = image.volume(t).data();
      for (int i = 0; i < perFrame; i++) {
        // nibabel scales in float64; the reader rounds that same value to float32 once.
        assertEquals((float) e.values[t * perFrame + i], got[i], 0, "frame " + t + " voxel " + i);
      }
    }
  }
}
