package dev.ctshift.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every working command shares: device, verbosity, stack traces. */
public final class CommonOptions {
  @Spec(Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec mixee;

  @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
      description = "cpu, gpu or gpu:N (CUDA through DJL). Default: ${DEFAULT-VALUE}.",
      converter = DeviceName.class)
  String device;

  @Option(names = {"-q", "--quiet"}, description = "Print only errors and the final summary line.")
  boolean quiet;

  @Option(names = "--debug", description = "Show stack traces of errors.")
  boolean debug;

  /** Progress lines on stderr, unless --quiet. */
  public Consumer<String> progress() {
    PrintWriter err = mixee.commandLine().getErr();
    return quiet ? s -> { } : s -> {
      err.println("ctshift: " + s);
      err.flush();
    };
  }

  /** Notices that are always shown (fallbacks, warnings). */
  public Consumer<String> notices() {
    PrintWriter err = mixee.commandLine().getErr();
    return s -> {
      err.println(s);
      err.flush();
    };
  }

  /** Accepts the device names {@link dev.ctshift.engine.TorchRuntime#parseDevice} knows: others are usage errors. */
  static final class DeviceName implements picocli.CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        dev.ctshift.engine.TorchRuntime.parseDevice(value);
        return value;
      } catch (dev.ctshift.CtShiftException e) {
        throw new picocli.CommandLine.TypeConversionException("must be cpu, gpu or gpu:N, got '" + value + "'");
      }
    }
  }

  /** The folder ctshift is installed in (set by the launcher), else the working folder. */
  public static Path home() {
    return Path.of(System.getProperty("ctshift.home", "."));
  }
}
