package dev.ctshift.volume.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResizeWithPadOrCropTest {
  private static final float PAD = -7f;
  private static final int NZ = 3;

  /**
   * Columns: input nx, ny; target h, w; hand-worked shift of i and j (input voxel x becomes output
   * voxel x + shift; an odd difference puts the extra voxel at the high end).
   */
  @ParameterizedTest(name = "{0}x{1} -> w {3} h {2}: shift {4}, {5}")
  @CsvSource({
    "4, 6, 6, 7, 1, 0",    // pad i by 3: 1 before, 2 after
    "7, 5, 8, 4, -1, 1",   // crop i by 3: 1 before, 2 after; pad j by 3: 1 before
    "6, 6, 2, 4, -1, -2",  // crop i by 2 and j by 4, evenly
    "3, 3, 1, 8, 2, -1",   // pad i by 5: 2 before; crop j by 2: 1 before
    "1, 1, 3, 2, 0, 1"     // pad i by 1 after; pad j by 2: 1 before
  })
  void padsAndCropsCentredKeepingWorldPositions(int nx, int ny, int h, int w, int di, int dj) {
    double[][] a = Synthetic.rotated(
        Synthetic.affine("LPS", new double[] {0.7, 0.8, 2.5}, new double[] {5, -3, 40}), 2, 7);
    Volume in = Synthetic.indexCoded(nx, ny, NZ, a);
    ResizeWithPadOrCrop step = new ResizeWithPadOrCrop(h, w, PAD);

    Volume out = step.apply(in);

    assertArrayEquals(new int[] {w, h, NZ}, out.dims());
    for (int k = 0; k < NZ; k++) {
      for (int j = 0; j < h; j++) {
        for (int i = 0; i < w; i++) {
          int si = i - di;
          int sj = j - dj;
          boolean kept = si >= 0 && si < nx && sj >= 0 && sj < ny;
          assertEquals(kept ? in.get(si, sj, k) : PAD, out.get(i, j, k), "voxel " + i + "," + j + "," + k);
          assertArrayEquals(Synthetic.world(a, si, sj, k), Synthetic.world(out.affine(), i, j, k), 1e-9);
        }
      }
    }

    Volume back = step.invert(out, VolumeGeometry.of(in));
    assertArrayEquals(in.dims(), back.dims());
    assertEquals(0, Affine.maxAbsDiff(a, back.affine()));
    for (int k = 0; k < NZ; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          boolean kept = i + di >= 0 && i + di < w && j + dj >= 0 && j + dj < h;
          assertEquals(kept ? in.get(i, j, k) : PAD, back.get(i, j, k), "back " + i + "," + j + "," + k);
        }
      }
    }
  }

  @Test
  void returnsInputWhenSizeAlreadyMatches() {
    Volume in = Synthetic.indexCoded(5, 4, 2, Affine.ofSpacing(1, 1, 1));
    assertSame(in, new ResizeWithPadOrCrop(4, 5, 0f).apply(in));
  }
}
