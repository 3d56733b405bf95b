package dev.ctshift.evaluate;

/**
 * Localisation and proximity metrics of a voxel map against a binary mask on the same grid. Maps and
 * masks are flat arrays in the same voxel order (any order, as long as both agree); none is modified.
 * An undefined value (empty mask, all-zero map) is {@code NaN}.
 */
public final class MapMetrics {
  private MapMetrics() {}

  /** Number of true voxels. */
  public static int count(boolean[] mask) {
    int n = 0;
    for (boolean b : mask) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  /**
   * Share of the map's absolute mass inside the mask: {@code sum_mask |m| / sum |m|}, in [0, 1];
   * NaN if the map is zero everywhere.
   */
  public static double shareInside(float[] map, boolean[] mask) {
    check(map, mask);
    double inside = 0;
    double total = 0;
    for (int v = 0; v < map.length; v++) {
      double a = Math.abs(map[v]);
      total += a;
      if (mask[v]) {
        inside += a;
      }
    }
    return total > 0 ? inside / total : Double.NaN;
  }

  /** Mean of {@code |map|} over the voxels where {@code mask == inside}; NaN if there are none. */
  public static double meanAbs(float[] map, boolean[] mask, boolean inside) {
    check(map, mask);
    double sum = 0;
    int n = 0;
    for (int v = 0; v < map.length; v++) {
      if (mask[v] == inside) {
        sum += Math.abs(map[v]);
        n++;
      }
    }
    return n > 0 ? sum / n : Double.NaN;
  }

  /**
   * Intersection over union of the mask and the map's top-k voxels, k the mask's voxel count (the
   * Latent Shift paper's localisation metric); NaN for an empty mask. See {@link #topK} for ties.
   */
  public static double topKIoU(float[] map, boolean[] mask) {
    check(map, mask);
    int k = count(mask);
    if (k == 0) {
      return Double.NaN;
    }
    boolean[] top = topK(map, k);
    int intersection = 0;
    int union = 0;
    for (int v = 0; v < map.length; v++) {
      if (top[v] && mask[v]) {
        intersection++;
      }
      if (top[v] || mask[v]) {
        union++;
      }
    }
    return (double) intersection / union;
  }

  /**
   * The k voxels of largest {@code |map|}, as a new mask. Voxels where the map is 0 are never chosen (so
   * fewer than k are when the map has fewer non-zero voxels); among voxels tied at the k-th value, the
   * lowest indices are chosen.
   */
  public static boolean[] topK(float[] map, int k) {
    float[] positive = new float[map.length];
    int n = 0;
    for (float f : map) {
      if (f != 0) {
        positive[n++] = Math.abs(f);
      }
    }
    boolean[] top = new boolean[map.length];
    if (k <= 0 || n == 0) {
      return top;
    }
    float kth = n <= k ? 0 : kthLargest(positive, n, k);
    int chosen = 0;
    for (int v = 0; v < map.length; v++) {
      float a = Math.abs(map[v]);
      if (a > kth) {
        top[v] = true;
        chosen++;
      }
    }
    for (int v = 0; v < map.length && chosen < k; v++) {
      if (Math.abs(map[v]) == kth && kth > 0) {
        top[v] = true;
        chosen++;
      }
    }
    return top;
  }

  /** The k-th largest of {@code values[0, n)} (1-based k), by quickselect; reorders the array. */
  static float kthLargest(float[] values, int n, int k) {
    int target = n - k; // index in ascending order
    int lo = 0;
    int hi = n - 1;
    while (lo < hi) {
      float pivot = median3(values[lo], values[lo + (hi - lo) / 2], values[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (values[i] < pivot) {
          i++;
        }
        while (values[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = values[i];
          values[i++] = values[j];
          values[j--] = t;
        }
      }
      if (target <= j) {
        hi = j;
      } else if (target >= i) {
        lo = i;
      } else {
        return values[target];
      }
    }
    return values[target];
  }

  private static float median3(float a, float b, float c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }

  private static void check(float[] map, boolean[] mask) {
    if (map.length != mask.length) {
      throw new IllegalArgumentException("map has " + map.length + " voxels, mask " + mask.length);
    }
  }
}
