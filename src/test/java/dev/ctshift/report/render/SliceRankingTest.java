package dev.ctshift.report.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SliceRankingTest {

  @Test
  void topKIsDescendingWithTiesByLowerIndex() {
    double[] s = {0.5, 2.0, Double.NaN, 2.0, -1.0, 0.5};
    assertArrayEquals(new int[] {1, 3, 0}, SliceRanking.topK(s, 3));
    assertArrayEquals(new int[] {1, 3, 0, 5, 4, 2}, SliceRanking.topK(s, 10));
    assertArrayEquals(new int[] {}, SliceRanking.topK(s, 0));
  }

  @Test
  void meanAbsDifferenceMatchesDirectSum() {
    int nx = 3;
    int ny = 4;
    int nz = 5;
    Random rnd = new Random(7);
    float[] a = new float[nx * ny * nz];
    float[] b = new float[a.length];
    for (int n = 0; n < a.length; n++) {
      a[n] = (float) (rnd.nextGaussian() * 100);
      b[n] = (float) (rnd.nextGaussian() * 100);
    }
    Volume va = new Volume(nx, ny, nz, a, Affine.identity());
    Volume vb = new Volume(nx, ny, nz, b, Affine.identity());
    double[] got = SliceRanking.meanAbsDifference(va, vb);
    for (int k = 0; k < nz; k++) {
      double sum = 0;
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          sum += Math.abs((double) vb.get(i, j, k) - va.get(i, j, k));
        }
      }
      assertEquals(sum / (nx * ny), got[k], 1e-9);
    }
  }
}
