package dev.ctshift.report.render;

import dev.ctshift.volume.Volume;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Chooses which slices to show: those that changed most. */
public final class SliceRanking {
  private SliceRanking() {}

  /**
   * Indices of the {@code k} highest scores, highest first; equal scores keep the lower index first.
   * NaN counts as lower than every number. Returns all indices if {@code k} exceeds the length.
   *
   * @throws IllegalArgumentException if {@code k} is negative
   */
  public static int[] topK(double[] scores, int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, got " + k);
    }
    Comparator<Integer> byScoreDescending =
        Comparator.comparingDouble((Integer n) -> Double.isNaN(scores[n]) ? Double.NEGATIVE_INFINITY
            : scores[n]).reversed();
    // Stable sort over ascending indices: ties stay in index order.
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted(byScoreDescending)
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /**
   * Per slice k (voxel axis k), the mean absolute difference {@code |b - a|} over the slice, in the
   * volumes' units (HU for CT): a change score for {@link #topK}.
   *
   * @throws IllegalArgumentException if the volumes differ in dims
   */
  public static double[] meanAbsDifference(Volume a, Volume b) {
    if (a.nx() != b.nx() || a.ny() != b.ny() || a.nz() != b.nz()) {
      throw new IllegalArgumentException("volume dims differ: " + a + " vs " + b);
    }
    int perSlice = a.nx() * a.ny();
    float[] da = a.data();
    float[] db = b.data();
    double[] score = new double[a.nz()];
    for (int k = 0; k < score.length; k++) {
      double sum = 0;
      for (int n = k * perSlice; n < (k + 1) * perSlice; n++) {
        sum += Math.abs((double) db[n] - da[n]);
      }
      score[k] = sum / perSlice;
    }
    return score;
  }
}
