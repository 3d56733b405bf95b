package dev.ctshift.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.CtShiftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The start-up gradient check: it measures the right thing, and it protects a JVM started without help. */
class TorchRuntimeTest {

  @Test
  void selfTestPassesUnderTheTestEnvironment() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", s -> { });
    assertTrue(runtime.selfTestError() <= TorchRuntime.GRADIENT_TOLERANCE, "error " + runtime.selfTestError());
  }

  /** The self-test's float64 reference against the transposed convolution written out in Java. */
  @Test
  void float64ReferenceGradientMatchesTheTransposedConvolution() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", s -> { });
    int c = 3;
    int n = 5;
    java.util.Random r = new java.util.Random(4);
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
    try (ai.djl.ndarray.NDManager m = runtime.newManager()) {
      double[] actual = TorchRuntime.inputGradient(runtime.engine(), m, x, w, g,
          new ai.djl.ndarray.types.Shape(1, c, n, n), new ai.djl.ndarray.types.Shape(1, c, 3, 3),
          new ai.djl.ndarray.types.Shape(1, 1, n, n), ai.djl.ndarray.types.DataType.FLOAT64);
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 1e-9);
    }
  }

  @Test
  void forwardSelfTestPassesUnderTheTestEnvironment() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", t -> { });
    double error = TorchRuntime.convolutionForwardError(runtime.engine(), runtime.device());
    assertTrue(error <= TorchRuntime.FORWARD_TOLERANCE, "error " + error);
  }

  /**
   * The forward self-test's module (scripts/make_selftest_convolutions.py) computes what it claims:
   * its stride-2 transposed convolution 8 -> 1 (case 5, the decoder's upsampling), in float64, against
   * the transposed convolution written out in Java.
   */
  @Test
  void forwardSelfTestModuleComputesTheTransposedConvolution() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", t -> { });
    // (in channels, out channels, kernel, spatial dimensions, spatial size) of cases 0..5, batch 2.
    int[][] cases = {{1, 8, 3, 2, 16}, {8, 1, 3, 2, 12}, {8, 3, 3, 2, 12}, {16, 4, 3, 2, 12}, {16, 32, 3, 2, 10},
        {8, 1, 4, 2, 8}};
    int offset = 0;
    for (int i = 0; i < 5; i++) {
      int[] c = cases[i];
      offset += 2 * c[0] * c[4] * c[4] + c[0] * c[1] * c[2] * c[2];
    }
    int n = 8;
    int k = 4;
    double[] values = new double[82212];
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextGaussian();
    }
    int xAt = offset;
    int wAt = offset + 2 * 8 * n * n;
    int m = (n - 1) * 2 - 2 + k;
    double[] expected = new double[2 * m * m];
    for (int b = 0; b < 2; b++) {
      for (int ch = 0; ch < 8; ch++) {
        for (int iy = 0; iy < n; iy++) {
          for (int ix = 0; ix < n; ix++) {
            for (int ky = 0; ky < k; ky++) {
              for (int kx = 0; kx < k; kx++) {
                int y = iy * 2 - 1 + ky;
                int x = ix * 2 - 1 + kx;
                if (y >= 0 && y < m && x >= 0 && x < m) {
                  expected[(b * m + y) * m + x] += values[xAt + ((b * 8 + ch) * n + iy) * n + ix]
                      * values[wAt + ch * k * k + ky * k + kx];
                }
              }
            }
          }
        }
      }
    }
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("selftest-module");
    try (java.io.InputStream in = TorchRuntime.class.getResourceAsStream("convolutions.pt");
        ai.djl.Model model = ai.djl.Model.newInstance("convolutions", runtime.device(), "PyTorch");
        ai.djl.ndarray.NDManager manager = runtime.newManager()) {
      java.nio.file.Files.copy(in, dir.resolve("convolutions.pt"));
      model.load(dir, "convolutions.pt");
      ai.djl.ndarray.NDList out = model.getBlock().forward(new ai.djl.training.ParameterStore(manager, false),
          new ai.djl.ndarray.NDList(manager.create(values)), false);
      assertEquals(new ai.djl.ndarray.types.Shape(2, 1, m, m), out.get(5).getShape());
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected, out.get(5).toDoubleArray(), 1e-9);
    } finally {
      java.nio.file.Files.deleteIfExists(dir.resolve("convolutions.pt"));
      java.nio.file.Files.deleteIfExists(dir);
    }
  }

  /** The self-test's float64 weight gradient of a 3D convolution against central differences of its output. */
  @Test
  void float64WeightGradientOf3dConvolutionMatchesFiniteDifferences() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", t -> { });
    ai.djl.ndarray.types.Shape xs = new ai.djl.ndarray.types.Shape(1, 2, 4, 4, 4);
    ai.djl.ndarray.types.Shape ws = new ai.djl.ndarray.types.Shape(1, 2, 3, 3, 3);
    ai.djl.ndarray.types.Shape rs = new ai.djl.ndarray.types.Shape(1, 1, 4, 4, 4);
    java.util.Random r = new java.util.Random(5);
    float[] x = new float[(int) xs.size()];
    float[] w = new float[(int) ws.size()];
    float[] g = new float[(int) rs.size()];
    for (float[] a : new float[][] {x, w, g}) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
    }
    try (ai.djl.ndarray.NDManager m = runtime.newManager()) {
      double[] weightGradient = TorchRuntime.gradients(runtime.engine(), m, x, w, g, xs, ws, rs,
          ai.djl.ndarray.types.DataType.FLOAT64)[1];
      for (int i : new int[] {0, 13, 40, 53}) {
        double h = 1e-3;
        double up = objective(m, x, w, g, xs, ws, i, h);
        double down = objective(m, x, w, g, xs, ws, i, -h);
        assertEquals((up - down) / (2 * h), weightGradient[i], 1e-6);
      }
    }
  }

  private static double objective(ai.djl.ndarray.NDManager m, float[] x, float[] w, float[] g,
      ai.djl.ndarray.types.Shape xs, ai.djl.ndarray.types.Shape ws, int index, double h) {
    ai.djl.ndarray.types.DataType f64 = ai.djl.ndarray.types.DataType.FLOAT64;
    double[] flat = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      flat[i] = w[i];
    }
    flat[index] += h;
    ai.djl.ndarray.NDArray shifted = m.create(flat, ws);
    ai.djl.ndarray.NDArray y = ai.djl.nn.convolutional.Conv3d.conv3d(m.create(x, xs).toType(f64, false), shifted,
        null, new ai.djl.ndarray.types.Shape(1, 1, 1), new ai.djl.ndarray.types.Shape(1, 1, 1)).singletonOrThrow();
    return y.mul(m.create(g, y.getShape()).toType(f64, false)).sum().getDouble();
  }

  @Test
  void unknownDeviceIsRejectedWithTheAllowedValues() {
    CtShiftException e = org.junit.jupiter.api.Assertions.assertThrows(CtShiftException.class,
        () -> TorchRuntime.start("tpu", s -> { }));
    assertTrue(e.getMessage().contains("cpu, gpu or gpu:N"), e.getMessage());
  }

  /**
   * A JVM started without ONEDNN_MAX_CPU_ISA: on CPUs with the oneDNN defect the check must notice
   * and fall back; on others it passes directly. Either way the gradients it then reports are right.
   */
  @Test
  void childJvmWithoutTheLauncherEnvironmentEndsWithCorrectGradients() throws Exception {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "-Doffline=true",
        "dev.ctshift.cli.Main", "selftest"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("ONEDNN_MAX_CPU_ISA");
    Process p = pb.start();
    String output = read(p);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "selftest finished");
    assertEquals(0, p.exitValue(), output);
    Matcher m = Pattern.compile("self-test: relative error ([0-9.eE+-]+)").matcher(output);
    assertTrue(m.find(), output);
    assertTrue(Double.parseDouble(m.group(1)) <= TorchRuntime.GRADIENT_TOLERANCE, output);
    if (output.contains("switching oneDNN off")) {
      assertTrue(output.contains("convolutions: oneDNN off"), output);
    } else {
      assertTrue(output.contains("convolutions: oneDNN (default ISA)"), output);
    }
  }

  private static String read(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
