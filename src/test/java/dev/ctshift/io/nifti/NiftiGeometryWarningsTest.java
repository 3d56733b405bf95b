package dev.ctshift.io.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.ScanReader;
import dev.ctshift.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NIfTI header that leaves the geometry open (qform_code and sform_code both 0) or holds negative
 * voxel sizes is read with an explicit assumption, and the assumption is said: in
 * {@link NiftiImage#warnings()}, in the notices of {@link ScanReader#read} and in {@code inspect}.
 */
class NiftiGeometryWarningsTest {
  static final Path PIXDIM_ONLY = Path.of("src/test/resources/nifti/pixdim_only.nii");
  static final Path WITH_SFORM = Path.of("src/test/resources/nifti/be_int16_sform.nii");

  @TempDir Path dir;

  @Test
  void noQformAndNoSformIsTakenAsRasAndSaysSo() throws Exception {
    NiftiImage image = NiftiReader.read(PIXDIM_ONLY);
    assertEquals(0, image.qformCode());
    assertEquals(0, image.sformCode());
    assertEquals("RAS", image.volume(0).orientation());
    assertEquals(1, image.warnings().size(), image.warnings()::toString);
    assertTrue(image.warnings().get(0).startsWith("qform_code and sform_code are both 0, so the file does"
        + " not say how it lies in the body; assumed: voxel axes i, j, k along R, A, S (orientation RAS)"),
        image.warnings().get(0));

    List<String> notices = new ArrayList<>();
    ScanReader.read(PIXDIM_ONLY, null, notices::add);
    assertEquals(List.of("NIfTI: warning: pixdim_only.nii: " + image.warnings().get(0)), notices);

    Cli.Run r = Cli.run("inspect", PIXDIM_ONLY.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("  warning: pixdim_only.nii: qform_code and sform_code are both 0"), r.out());
  }

  @Test
  void negativePixdimIsUsedWithoutItsSignAndSaysSo() throws Exception {
    Path file = Files.copy(PIXDIM_ONLY, dir.resolve("negative.nii"));
    float[] before = new float[3];
    NiftiTestSupport.patchHeader(file, b -> {
      for (int i = 0; i < 3; i++) {
        before[i] = b.getFloat(80 + 4 * i);
        b.putFloat(80 + 4 * i, -before[i]);
      }
    });
    NiftiImage image = NiftiReader.read(file);
    assertArrayEquals(new double[] {before[0], before[1], before[2]}, image.volume(0).spacing(), 1e-6);
    assertTrue(image.warnings().stream().anyMatch(w -> w.startsWith("negative voxel size pixdim[1..3] = [-")),
        image.warnings()::toString);
  }

  @Test
  void aFileWithAnSformNeedsNoAssumption() throws Exception {
    assertEquals(List.of(), NiftiReader.read(WITH_SFORM).warnings());
  }
}
