package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvGradientCheckTest {

  /** The engine's float64 reference against the transposed convolution written out in Java. */
  @Test
  void float64ReferenceMatchesTheTransposedConvolution() {
    int c = 3;
    int n = 5;
    Random r = new Random(4);
    float[] x = new float[c * n * n];
    float[] w = new float[c * 9];
    float[] g = new float[n * n];
    for (float[] a : new float[][] {x, w, g}) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
    }
    // out[i][j] = sum_c,a,b w[c][a][b] x[c][i+a-1][j+b-1], so d/dx[c][p][q] = sum g[i][j] w[c][p-i+1][q-j+1].
    double[] expected = new double[x.length];
    for (int ch = 0; ch < c; ch++) {
      for (int p = 0; p < n; p++) {
        for (int q = 0; q < n; q++) {
          double s = 0;
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              int a = p - i + 1;
              int b = q - j + 1;
              if (a >= 0 && a < 3 && b >= 0 && b < 3) {
                s += (double) g[i * n + j] * w[ch * 9 + a * 3 + b];
              }
            }
          }
          expected[(ch * n + p) * n + q] = s;
        }
      }
    }
    try (NDManager m = NDManager.newBaseManager()) {
      double[] actual = ConvGradientCheck.inputGradient(m, DataType.FLOAT64, x, new Shape(1, c, n, n),
          w, new Shape(1, c, 3, 3), g);
      assertArrayEquals(expected, actual, 1e-9);
    }
  }

  /** Surefire sets ONEDNN_MAX_CPU_ISA=SSE41, so the float32 gradients must be right here. */
  @Test
  void gradientsAreCorrectUnderTheTestEnvironment() {
    double error = ConvGradientCheck.relativeError(Device.cpu());
    assertTrue(error < ConvGradientCheck.TOLERANCE, "relative error " + error);
    assertDoesNotThrow(() -> ConvGradientCheck.requireCorrect(Device.cpu()));
  }
}
