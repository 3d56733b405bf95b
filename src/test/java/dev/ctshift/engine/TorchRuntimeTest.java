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
    Matcher m = Pattern.compile("relative error ([0-9.eE+-]+)").matcher(output);
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
