package dev.ctshift.train;

import java.util.Arrays;
import java.util.Random;

/** Validation metrics, computed in double precision on plain arrays. */
public final class Metrics {
  private static final int SSIM_WINDOW = 11;
  private static final double SSIM_SIGMA = 1.5;

  private Metrics() {}

  /**
   * Peak signal-to-noise ratio in dB for values with range {@code dataRange}:
   * {@code 10 log10(dataRange^2 / MSE)}; +Infinity for identical arrays.
   */
  public static double psnr(float[] reference, float[] test, double dataRange) {
    requireSameLength(reference, test);
    double sse = 0;
    for (int i = 0; i < reference.length; i++) {
      double d = (double) reference[i] - test[i];
      sse += d * d;
    }
    return 10 * Math.log10(dataRange * dataRange / (sse / reference.length));
  }

  /**
   * Mean structural similarity (Wang et al. 2004) of two row-major {@code height x width} images
   * with values in [0, 1]: Gaussian window 11x11, sigma 1.5 (shrunk to the largest odd size that
   * fits for images smaller than 11), constants K1 = 0.01, K2 = 0.03, averaged over the positions
   * where the window lies inside the image.
   */
  public static double ssim(float[] a, float[] b, int height, int width) {
    requireSameLength(a, b);
    if (a.length != height * width) {
      throw new IllegalArgumentException(a.length + " values for " + height + "x" + width);
    }
    int size = Math.min(SSIM_WINDOW, Math.min(height, width));
    size -= 1 - size % 2;
    double[] g = gaussian(size);
    double[] x = new double[a.length];
    double[] y = new double[a.length];
    double[] xx = new double[a.length];
    double[] yy = new double[a.length];
    double[] xy = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      x[i] = a[i];
      y[i] = b[i];
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    int oh = height - size + 1;
    int ow = width - size + 1;
    double[] mx = filter(x, height, width, g);
    double[] my = filter(y, height, width, g);
    double[] mxx = filter(xx, height, width, g);
    double[] myy = filter(yy, height, width, g);
    double[] mxy = filter(xy, height, width, g);
    double c1 = 0.01 * 0.01;
    double c2 = 0.03 * 0.03;
    double sum = 0;
    for (int i = 0; i < oh * ow; i++) {
      double vx = mxx[i] - mx[i] * mx[i];
      double vy = myy[i] - my[i] * my[i];
      double cov = mxy[i] - mx[i] * my[i];
      sum += (2 * mx[i] * my[i] + c1) * (2 * cov + c2)
          / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2));
    }
    return sum / (oh * ow);
  }

  private static double[] gaussian(int size) {
    double[] g = new double[size];
    double total = 0;
    for (int i = 0; i < size; i++) {
      double d = i - size / 2;
      g[i] = Math.exp(-d * d / (2 * SSIM_SIGMA * SSIM_SIGMA));
      total += g[i];
    }
    for (int i = 0; i < size; i++) {
      g[i] /= total;
    }
    return g;
  }

  /** Separable "valid" filtering with kernel {@code g}: output {@code (h-n+1) x (w-n+1)}. */
  private static double[] filter(double[] img, int h, int w, double[] g) {
    int n = g.length;
    int ow = w - n + 1;
    int oh = h - n + 1;
    double[] rows = new double[h * ow];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < ow; c++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += g[k] * img[r * w + c + k];
        }
        rows[r * ow + c] = s;
      }
    }
    double[] out = new double[oh * ow];
    for (int r = 0; r < oh; r++) {
      for (int c = 0; c < ow; c++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += g[k] * rows[(r + k) * ow + c];
        }
        out[r * ow + c] = s;
      }
    }
    return out;
  }

  /**
   * A percentile bootstrap interval of {@link #rocAuc}: the scans are drawn with replacement
   * {@code resamples} times (draw i of a resample is {@code random.nextInt(n)} of a {@code Random}
   * seeded with {@code seed}); resamples without a positive or a negative are left out.
   *
   * @param level e.g. 0.95
   * @return {lower, upper}: the resampled AUCs at ranks round(q (m - 1)) for q = (1 - level) / 2 and
   *     (1 + level) / 2 of the m kept, sorted; NaN, NaN when none is kept
   */
  public static double[] rocAucInterval(double[] scores, boolean[] positive, int resamples, double level,
      long seed) {
    int n = scores.length;
    Random random = new Random(seed);
    double[] kept = new double[resamples];
    int m = 0;
    double[] s = new double[n];
    boolean[] y = new boolean[n];
    for (int r = 0; r < resamples; r++) {
      for (int i = 0; i < n; i++) {
        int draw = random.nextInt(n);
        s[i] = scores[draw];
        y[i] = positive[draw];
      }
      double auc = rocAuc(s, y);
      if (!Double.isNaN(auc)) {
        kept[m++] = auc;
      }
    }
    if (m == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double[] sorted = Arrays.copyOf(kept, m);
    Arrays.sort(sorted);
    return new double[] {sorted[(int) Math.round((1 - level) / 2 * (m - 1))],
        sorted[(int) Math.round((1 + level) / 2 * (m - 1))]};
  }

  /**
   * Area under the ROC curve by the Mann-Whitney statistic: the probability that a random positive
   * scores above a random negative, ties counting one half. NaN if either class is absent.
   *
   * @param scores one score per sample
   * @param positive whether each sample is positive
   */
  public static double rocAuc(double[] scores, boolean[] positive) {
    if (scores.length != positive.length) {
      throw new IllegalArgumentException(scores.length + " scores for " + positive.length + " labels");
    }
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (p, q) -> Double.compare(scores[p], scores[q]));
    double rankSumPositive = 0;
    long positives = 0;
    for (int start = 0; start < n; ) {
      int end = start;
      while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) {
        end++;
      }
      double meanRank = (start + end) / 2.0 + 1;  // ranks are 1-based; ties share the mean rank
      for (int i = start; i <= end; i++) {
        if (positive[order[i]]) {
          rankSumPositive += meanRank;
          positives++;
        }
      }
      start = end + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Dice coefficient {@code 2|A and B| / (|A| + |B|)} from counts; 1 when both sets are empty. */
  public static double dice(long intersection, long sizeA, long sizeB) {
    return sizeA + sizeB == 0 ? 1 : 2.0 * intersection / (sizeA + sizeB);
  }

  /** Dice coefficient of class {@code cls} between two label maps. */
  public static double dice(int[] reference, int[] test, int cls) {
    if (reference.length != test.length) {
      throw new IllegalArgumentException(reference.length + " vs " + test.length + " voxels");
    }
    long both = 0;
    long a = 0;
    long b = 0;
    for (int i = 0; i < reference.length; i++) {
      boolean inA = reference[i] == cls;
      boolean inB = test[i] == cls;
      a += inA ? 1 : 0;
      b += inB ? 1 : 0;
      both += inA && inB ? 1 : 0;
    }
    return dice(both, a, b);
  }

  private static void requireSameLength(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(a.length + " vs " + b.length + " values");
    }
  }
}
