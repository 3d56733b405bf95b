package dev.ctshift.io.sanity;

import java.util.Arrays;

/**
 * The value statistics the HU plausibility check looks at, over the finite voxels of a volume.
 * Percentiles come from at most {@link #SAMPLE} voxels taken at an even stride, which is exact for
 * small volumes and within a fraction of a percent of rank for large ones.
 *
 * @param voxels all voxels
 * @param nonFinite voxels that are NaN or infinite
 * @param firstNonFinite index of the first non-finite voxel, -1 if none
 * @param min smallest finite value (NaN if none)
 * @param max largest finite value (NaN if none)
 * @param low the 0.5th percentile of the finite values: where air (or padding) lies
 * @param high the 99.9th percentile: the top of the range, not moved by a few hot voxels
 * @param belowMinus500 fraction of finite voxels below -500 (air and lung in HU)
 * @param aboveMinus500 fraction of finite voxels above -500 (anything denser than lung in HU)
 */
public record HuProfile(long voxels, long nonFinite, int firstNonFinite, double min, double max, double low,
    double high, double belowMinus500, double aboveMinus500) {

  /** Largest number of voxels sorted for the percentiles. */
  static final int SAMPLE = 1 << 20;

  /** The profile of {@code values}. */
  public static HuProfile of(float[] values) {
    long nonFinite = 0;
    int first = -1;
    long below = 0;
    long above = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      if (!Float.isFinite(v)) {
        if (first < 0) {
          first = i;
        }
        nonFinite++;
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (v < -500) {
        below++;
      } else if (v > -500) {
        above++;
      }
    }
    long finite = values.length - nonFinite;
    if (finite == 0) {
      return new HuProfile(values.length, nonFinite, first, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
    }
    int stride = (int) Math.max(1, (values.length + SAMPLE - 1) / SAMPLE);
    float[] sample = new float[(values.length + stride - 1) / stride];
    int n = 0;
    for (int i = 0; i < values.length; i += stride) {
      if (Float.isFinite(values[i])) {
        sample[n++] = values[i];
      }
    }
    if (n == 0) { // every sampled voxel non-finite: fall back to the extremes
      return new HuProfile(values.length, nonFinite, first, min, max, min, max, below / (double) finite,
          above / (double) finite);
    }
    float[] sorted = Arrays.copyOf(sample, n);
    Arrays.sort(sorted);
    return new HuProfile(values.length, nonFinite, first, min, max, percentile(sorted, 0.005),
        percentile(sorted, 0.999), below / (double) finite, above / (double) finite);
  }

  private static double percentile(float[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }
}
