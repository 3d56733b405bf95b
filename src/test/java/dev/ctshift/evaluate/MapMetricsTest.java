package dev.ctshift.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Localisation and proximity metrics against values worked out by hand. */
class MapMetricsTest {
  static boolean[] mask(int... bits) {
    boolean[] m = new boolean[bits.length];
    for (int i = 0; i < bits.length; i++) {
      m[i] = bits[i] == 1;
    }
    return m;
  }

  @Test
  void shareInsideIsTheAbsoluteMassInsideOverTheTotal() {
    float[] change = {1, -3, 0, 2, -4};
    boolean[] inside = mask(0, 1, 1, 0, 1);
    // |−3| + 0 + |−4| = 7 of 1 + 3 + 0 + 2 + 4 = 10
    assertEquals(0.7, MapMetrics.shareInside(change, inside), 1e-12);
    assertEquals(1.0, MapMetrics.shareInside(new float[] {0, 5, 0}, mask(0, 1, 0)), 0);
    assertEquals(0.0, MapMetrics.shareInside(new float[] {5, 0, 0}, mask(0, 1, 0)), 0);
    assertTrue(Double.isNaN(MapMetrics.shareInside(new float[3], mask(0, 1, 0))), "no change: undefined");
  }

  @Test
  void meanAbsoluteChangeInsideAndOutside() {
    float[] change = {10, -20, 0, 30, -40, 50};
    boolean[] inside = mask(1, 1, 0, 0, 0, 1);
    assertEquals((10 + 20 + 50) / 3.0, MapMetrics.meanAbs(change, inside, true), 1e-12);
    assertEquals((0 + 30 + 40) / 3.0, MapMetrics.meanAbs(change, inside, false), 1e-12);
    assertTrue(Double.isNaN(MapMetrics.meanAbs(change, new boolean[6], true)), "empty mask: undefined");
  }

  @Test
  void iouOfTheTopMaskAreaVoxels() {
    // Mask of 3 voxels {1, 2, 5}; the 3 largest |map| are at {1, 3, 5}: intersection 2, union 4.
    float[] map = {0.1f, 9, 0.5f, -8, 0.2f, 7};
    boolean[] m = mask(0, 1, 1, 0, 0, 1);
    assertArrayEquals(mask(0, 1, 0, 1, 0, 1), MapMetrics.topK(map, 3));
    assertEquals(0.5, MapMetrics.topKIoU(map, m), 1e-12);
    // A perfect map gives 1, a map with its mass elsewhere 0, an empty mask NaN.
    assertEquals(1.0, MapMetrics.topKIoU(new float[] {0, 3, 2, 0, 0, 1}, m), 0);
    assertEquals(0.0, MapMetrics.topKIoU(new float[] {3, 0, 0, 2, 1, 0}, m), 0);
    assertTrue(Double.isNaN(MapMetrics.topKIoU(map, new boolean[6])));
  }

  @Test
  void topKBreaksTiesByIndexAndNeverPicksZeros() {
    float[] map = {1, 2, 2, 2, 0, 3};
    assertArrayEquals(mask(0, 1, 1, 0, 0, 1), MapMetrics.topK(map, 3), "ties at the 3rd value: lowest index first");
    assertArrayEquals(mask(1, 1, 1, 1, 0, 1), MapMetrics.topK(map, 6), "only 5 non-zero voxels");
    // The map covers 1 of the 2 mask voxels and nothing else: IoU = 1 / 2.
    assertEquals(0.5, MapMetrics.topKIoU(new float[] {0, 4, 0, 0}, mask(0, 1, 1, 0)), 0);
  }

  @Test
  void kthLargestAgreesWithSorting() {
    Random r = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + r.nextInt(60);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = r.nextInt(8) == 0 ? 1.5f : r.nextInt(20) / 4f; // many ties
      }
      float[] sorted = v.clone();
      Arrays.sort(sorted);
      int k = 1 + r.nextInt(n);
      assertEquals(sorted[n - k], MapMetrics.kthLargest(v.clone(), n, k), "n " + n + " k " + k);
    }
  }

  @Test
  void topKSelectsExactlyKOfARandomMapAndTheLargest() {
    Random r = new Random(5);
    float[] map = new float[500];
    for (int i = 0; i < map.length; i++) {
      map[i] = (r.nextInt(50) - 25) / 5f;
    }
    int nonZero = (int) java.util.stream.IntStream.range(0, map.length).filter(i -> map[i] != 0).count();
    int k = 137;
    boolean[] top = MapMetrics.topK(map, k);
    assertEquals(Math.min(k, nonZero), MapMetrics.count(top));
    float minChosen = Float.MAX_VALUE;
    float maxLeft = 0;
    for (int i = 0; i < map.length; i++) {
      if (top[i]) {
        minChosen = Math.min(minChosen, Math.abs(map[i]));
      } else {
        maxLeft = Math.max(maxLeft, Math.abs(map[i]));
      }
    }
    assertTrue(minChosen >= maxLeft, "every chosen |value| " + minChosen + " >= every other " + maxLeft);
  }
}
