package dev.ctshift.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FiltersTest {
  @Test
  void blurMatchesDirectTwoDimensionalConvolution() {
    int nx = 9;
    int ny = 7;
    int nz = 2;
    double sigma = 0.8;
    SplittableRandom rng = new SplittableRandom(3);
    float[] data = new float[nx * ny * nz];
    for (int v = 0; v < data.length; v++) {
      data[v] = (float) (rng.nextDouble() * 1000 - 500);
    }
    float[] blurred = data.clone();
    Filters.gaussianBlurInPlane(blurred, nx, ny, nz, sigma);
    int r = (int) Math.ceil(3 * sigma);
    double norm = 0;
    for (int t = -r; t <= r; t++) {
      norm += Math.exp(-t * t / (2 * sigma * sigma));
    }
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          double s = 0;
          for (int b = -r; b <= r; b++) {
            for (int a = -r; a <= r; a++) {
              int ii = Math.min(nx - 1, Math.max(0, i + a));
              int jj = Math.min(ny - 1, Math.max(0, j + b));
              s += Math.exp(-(a * a + b * b) / (2 * sigma * sigma)) / (norm * norm) * data[ii + nx * (jj + ny * k)];
            }
          }
          assertEquals(s, blurred[i + nx * (j + ny * k)], 1e-3, "voxel " + i + "," + j + "," + k);
        }
      }
    }
  }

  @Test
  void noiseHasRequestedStandardDeviation() {
    float[] data = new float[200_001];
    Filters.addNoise(data, 12, new SplittableRandom(9));
    double sum = 0;
    double sq = 0;
    for (float v : data) {
      sum += v;
      sq += v * v;
    }
    double mean = sum / data.length;
    double sd = Math.sqrt(sq / data.length - mean * mean);
    assertEquals(0, mean, 0.1); // standard error 12 / sqrt(2e5) = 0.027
    assertEquals(12, sd, 0.1);
  }
}
