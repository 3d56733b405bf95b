package dev.ctshift.report.html;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ctshift.report.render.SliceView;
import dev.ctshift.volume.Volume;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The page's display order against {@link SliceView}, an independent implementation of the same
 * radiological convention: every axial slice of the display array must be the slice SliceView shows.
 */
class DisplayGridTest {
  @ParameterizedTest
  @ValueSource(strings = {"RAS", "LPS", "LAS", "RPI", "swapped-ij"})
  void axialSlicesMatchSliceViewAndTheScansSliceIndex(String storage) {
    int nx = 5;
    int ny = 4;
    int nz = 3;
    double[][] affine = switch (storage) {
      case "RAS" -> new double[][] {{0.7, 0, 0, 0}, {0, 0.8, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
      case "LPS" -> new double[][] {{-0.7, 0, 0, 0}, {0, -0.8, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
      case "LAS" -> new double[][] {{-0.7, 0, 0, 0}, {0, 0.8, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
      case "RPI" -> new double[][] {{0.7, 0, 0, 0}, {0, -0.8, 0, 0}, {0, 0, -2, 0}, {0, 0, 0, 1}};
      default -> new double[][] {{0, 0.8, 0, 0}, {0.7, 0, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
    };
    float[] values = new float[nx * ny * nz];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 3 - 50; // distinct: every voxel is identifiable
    }
    Volume v = new Volume(nx, ny, nz, values, affine);
    DisplayGrid grid = new DisplayGrid(v);
    short[] display = grid.toDisplay(values);
    int[] d = grid.dims();
    assertEquals(2, grid.displayAxisOfK(), "k is the axial axis in all these");
    for (int k = 0; k < nz; k++) {
      SliceView s = SliceView.of(v, k);
      assertEquals(s.width(), d[0]);
      assertEquals(s.height(), d[1]);
      int z = grid.kFlipped() ? nz - 1 - k : k;
      float[] fromGrid = new float[d[0] * d[1]];
      for (int i = 0; i < fromGrid.length; i++) {
        fromGrid[i] = display[i + d[0] * d[1] * z];
      }
      assertArrayEquals(s.values(), fromGrid, storage + " slice " + k);
    }
    // Superior is the higher z: in RPI storage k runs inferior, so it is flipped.
    assertEquals(storage.equals("RPI"), grid.kFlipped());
    assertArrayEquals(new double[] {storage.equals("swapped-ij") ? 0.8 : 0.7, storage.equals("swapped-ij") ? 0.7
        : 0.8, 2}, grid.spacing(), 1e-12);
  }

  /** The difference of two volumes, each rounded first, as {@link DisplayGrid#toDisplay} shows the float difference. */
  @ParameterizedTest
  @ValueSource(strings = {"RAS", "LPS"})
  void differenceIsTheDisplayOfTheRoundedDifference(String storage) {
    int nx = 6;
    int ny = 5;
    int nz = 4;
    double s = storage.equals("RAS") ? 1 : -1;
    double[][] affine = {{s, 0, 0, 0}, {0, s, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
    java.util.Random r = new java.util.Random(4);
    float[] scan = new float[nx * ny * nz];
    float[] frame = new float[scan.length];
    for (int i = 0; i < scan.length; i++) {
      scan[i] = (float) (r.nextGaussian() * 800);
      frame[i] = scan[i] + (float) (r.nextGaussian() * 30);
    }
    frame[0] = 2.5f; // ties round up, separately on each side
    scan[0] = -0.5f;
    frame[1] = 60_000; // beyond 16 bits: clamped
    scan[1] = -10_000;
    frame[2] = Float.NaN;
    DisplayGrid grid = new DisplayGrid(new Volume(nx, ny, nz, scan, affine));
    float[] difference = new float[scan.length];
    for (int i = 0; i < scan.length; i++) {
      difference[i] = Math.round(frame[i]) - Math.round(scan[i]);
    }
    assertArrayEquals(grid.toDisplay(difference), grid.differenceToDisplay(frame, scan));
  }
}
