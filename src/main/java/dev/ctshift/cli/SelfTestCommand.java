package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code ctshift selftest}: start the engine on a device and check its convolution gradients. */
@Command(
    name = "selftest",
    header = "Start the engine, check convolution gradients against float64, and print what runs where.",
    description = {
      "",
      "Every command runs this check before computing gradients; run it alone to see whether a machine",
      "(e.g. a new GPU runner) is set up: exit 0 when gradients are right, 1 otherwise.",
      ""
    },
    mixinStandardHelpOptions = true)
public final class SelfTestCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin CommonOptions common;

  @Override
  public Integer call() throws CtShiftException {
    long t = System.nanoTime();
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "engine: PyTorch %s on %s%n", runtime.engine().getVersion(), runtime.device());
    out.printf(Locale.ROOT, "convolutions: %s%n", runtime.convolutionPath());
    out.printf(Locale.ROOT, "gradient self-test: relative error %.2e against float64 (limit %.0e): ok%n",
        runtime.selfTestError(), 1e-3);
    out.printf(Locale.ROOT, "start-up: %.2f s%n", (System.nanoTime() - t) / 1e9);
    out.flush();
    return 0;
  }
}
