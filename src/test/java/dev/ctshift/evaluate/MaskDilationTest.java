package dev.ctshift.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dilation in mm on anisotropic grids, against hand counts and a brute-force search. */
class MaskDilationTest {
  @Test
  void oneVoxelOnAnAnisotropicGridGrowsIntoAnEllipsoidOfVoxels() {
    // Spacing 1 x 2 x 3 mm, radius 3 mm around the centre of a 9x5x3 grid. Offsets (di, dj, dk) with
    // di² + (2dj)² + (3dk)² <= 9: dk = ±1 only with di = dj = 0 (2 voxels); dk = 0, dj = 0: di = -3..3 (7);
    // dj = ±1: di² <= 5, di = -2..2 (2 × 5 = 10). Total 19.
    int nx = 9;
    int ny = 5;
    int nz = 3;
    boolean[] m = new boolean[nx * ny * nz];
    m[4 + nx * (2 + ny)] = true;
    boolean[] d = MaskDilation.dilate(m, nx, ny, nz, new double[] {1, 2, 3}, 3);
    assertEquals(19, MapMetrics.count(d));
    assertEquals(true, d[1 + nx * (2 + ny)], "3 mm along i: on the sphere");
    assertEquals(true, d[2 + nx * (3 + ny)], "(-2, 2, 0) mm: 2.83 mm");
    assertEquals(false, d[1 + nx * (3 + ny)], "(-3, 2, 0) mm: 3.61 mm");
  }

  @ParameterizedTest
  @CsvSource({"0.7, 1.3, 2.5, 2.6", "1, 1, 1, 1", "1, 1, 1, 1.5", "0.8, 0.8, 5, 6", "2, 0.5, 1, 0.4",
      "1.5, 1.5, 3, 6"})
  void agreesWithBruteForceOnRandomMasks(double sx, double sy, double sz, double radius) {
    Random r = new Random(Double.hashCode(sx + 7 * sy + 31 * sz + radius));
    int nx = 11;
    int ny = 9;
    int nz = 7;
    boolean[] m = new boolean[nx * ny * nz];
    for (int i = 0; i < m.length; i++) {
      m[i] = r.nextInt(40) == 0;
    }
    double[] s = {sx, sy, sz};
    boolean[] expected = new boolean[m.length];
    for (int v = 0; v < m.length; v++) {
      for (int u = 0; u < m.length && !expected[v]; u++) {
        if (m[u]) {
          double dx = (v % nx - u % nx) * sx;
          double dy = ((v / nx) % ny - (u / nx) % ny) * sy;
          double dz = (v / (nx * ny) - u / (nx * ny)) * sz;
          expected[v] = dx * dx + dy * dy + dz * dz <= radius * radius * (1 + MaskDilation.TOLERANCE);
        }
      }
    }
    assertArrayEquals(expected, MaskDilation.dilate(m, nx, ny, nz, s, radius));
  }

  @Test
  void zeroRadiusAndEmptyMasksAreCopies() {
    boolean[] m = {false, true, false, false, true, false, false, false};
    boolean[] d = MaskDilation.dilate(m, 2, 2, 2, new double[] {1, 1, 1}, 0);
    assertArrayEquals(m, d);
    d[0] = true;
    assertEquals(false, m[0], "a new array");
    assertArrayEquals(new boolean[8], MaskDilation.dilate(new boolean[8], 2, 2, 2, new double[] {1, 1, 1}, 5));
    assertThrows(IllegalArgumentException.class, () -> MaskDilation.dilate(m, 2, 2, 2, new double[] {1, 1, 1}, -1));
  }

  @ParameterizedTest
  @CsvSource({"0", "1", "2", "4"})
  void voxelStepsAgreeWithRepeatedNeighbourhoodDilation(int steps) {
    Random r = new Random(steps);
    int nx = 10;
    int ny = 8;
    int nz = 6;
    boolean[] m = new boolean[nx * ny * nz];
    for (int i = 0; i < m.length; i++) {
      m[i] = r.nextDouble() < 0.02;
    }
    m[0] = true; // a corner: growth must stop at the edges
    boolean[] expected = m.clone();
    for (int s = 0; s < steps; s++) {
      expected = neighbourhoodStep(expected, nx, ny, nz);
    }
    boolean[] before = m.clone();
    assertArrayEquals(expected, MaskDilation.dilateVoxels(m, nx, ny, nz, steps));
    assertArrayEquals(before, m, "the input is not modified");
  }

  @Test
  void voxelStepsGrowOneVoxelIntoACube() {
    boolean[] m = new boolean[7 * 7 * 7];
    m[3 + 7 * (3 + 7 * 3)] = true;
    assertEquals(125, MapMetrics.count(MaskDilation.dilateVoxels(m, 7, 7, 7, 2)));
    assertThrows(IllegalArgumentException.class, () -> MaskDilation.dilateVoxels(m, 7, 7, 7, -1));
  }

  /** One round of 26-neighbourhood dilation, voxel by voxel. */
  private static boolean[] neighbourhoodStep(boolean[] in, int nx, int ny, int nz) {
    boolean[] out = new boolean[in.length];
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          for (int dk = -1; dk <= 1; dk++) {
            for (int dj = -1; dj <= 1; dj++) {
              for (int di = -1; di <= 1; di++) {
                int a = i + di;
                int b = j + dj;
                int c = k + dk;
                if (a >= 0 && a < nx && b >= 0 && b < ny && c >= 0 && c < nz && in[a + nx * (b + ny * c)]) {
                  out[i + nx * (j + ny * k)] = true;
                }
              }
            }
          }
        }
      }
    }
    return out;
  }
}
