package dev.ctshift.phantom;

import java.util.SplittableRandom;

/** In-place image operations on flat {@code [nz][ny][nx]} float arrays. */
final class Filters {
  private Filters() {}

  /** Separable Gaussian blur along i and j of every slice; sigma in voxels, edges clamped. */
  static void gaussianBlurInPlane(float[] data, int nx, int ny, int nz, double sigmaVoxels) {
    if (sigmaVoxels < 0.05) {
      return;
    }
    int radius = (int) Math.ceil(3 * sigmaVoxels);
    float[] w = new float[2 * radius + 1];
    double sum = 0;
    for (int t = -radius; t <= radius; t++) {
      sum += StrictMath.exp(-0.5 * t * t / (sigmaVoxels * sigmaVoxels));
    }
    for (int t = -radius; t <= radius; t++) {
      w[t + radius] = (float) (StrictMath.exp(-0.5 * t * t / (sigmaVoxels * sigmaVoxels)) / sum);
    }
    float[] tmp = new float[nx * ny];
    for (int k = 0; k < nz; k++) {
      int base = k * nx * ny;
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          float s = 0;
          for (int t = -radius; t <= radius; t++) {
            int ii = Math.min(nx - 1, Math.max(0, i + t));
            s += w[t + radius] * data[base + j * nx + ii];
          }
          tmp[j * nx + i] = s;
        }
      }
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          float s = 0;
          for (int t = -radius; t <= radius; t++) {
            int jj = Math.min(ny - 1, Math.max(0, j + t));
            s += w[t + radius] * tmp[jj * nx + i];
          }
          data[base + j * nx + i] = s;
        }
      }
    }
  }

  /**
   * Adds Gaussian noise from Marsaglia's polar method with {@link StrictMath}, so the values do not
   * depend on the JVM's choice of Gaussian algorithm or math intrinsics.
   */
  static void addNoise(float[] data, double sigma, SplittableRandom rng) {
    if (sigma <= 0) {
      return;
    }
    for (int v = 0; v < data.length; v += 2) {
      double a;
      double b;
      double s;
      do {
        a = 2 * rng.nextDouble() - 1;
        b = 2 * rng.nextDouble() - 1;
        s = a * a + b * b;
      } while (s >= 1 || s == 0);
      double m = sigma * Math.sqrt(-2 * StrictMath.log(s) / s);
      data[v] += (float) (a * m);
      if (v + 1 < data.length) {
        data[v + 1] += (float) (b * m);
      }
    }
  }

  static void clamp(float[] data, float lo, float hi) {
    for (int v = 0; v < data.length; v++) {
      data[v] = Math.max(lo, Math.min(hi, data[v]));
    }
  }
}
