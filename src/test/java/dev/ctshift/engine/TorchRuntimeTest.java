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
