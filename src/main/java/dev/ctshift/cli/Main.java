package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.model.ModelLoadException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ctshift} command: picocli entry point, error handling and exit codes. */
@Command(
    name = "ctshift",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Explain 3D CT models with counterfactual volumes (slice-based Latent Shift).",
    description = {
      "",
      "ctshift changes a CT scan as little and as plausibly as possible so that a",
      "model's output moves, and writes the changed volume, heatmaps, an animation",
      "and a report that show what the model relies on.",
      ""
    },
    subcommands = {ExplainCommand.class, BatchCommand.class, InspectCommand.class, EvaluateCommand.class,
        PhantomCommand.class, TrainCommand.class,
        DemoCommand.class, BenchmarkCommand.class, EngineBenchmarkCommand.class,
        SelfTestCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      " 0:success",
      " 1:failure while running (engine, model, or an output that could not be written)",
      " 2:invalid command line",
      " 3:an input scan could not be read, or was refused (not CT in HU, NaN voxels, a single slice)",
      " 4:a model could not be loaded, or its manifest or outputs break their promises",
      " 5:some scans of a batch failed"
    },
    footer = {"", "Run 'ctshift help COMMAND' for the options of one command."})
public final class Main implements Runnable {
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_INPUT = 3;
  public static final int EXIT_MODEL = 4;
  public static final int EXIT_SCANS_FAILED = 5;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command line set up with ctshift's error handling; used by {@link #main} and by tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handleExecutionException);
    cl.setExitCodeExceptionMapper(Main::exitCodeOf);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static int exitCodeOf(Throwable t) {
    if (t instanceof CommandLine.ParameterException) {
      return CommandLine.ExitCode.USAGE;
    }
    if (t instanceof VolumeReadException) {
      return EXIT_INPUT;
    }
    if (t instanceof ModelLoadException) {
      return EXIT_MODEL;
    }
    return EXIT_FAILURE;
  }

  private static int handleExecutionException(
      Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
    boolean debug = parseResult.hasMatchedOption("--debug")
        || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"));
    if (debug || !(ex instanceof CtShiftException)) {
      ex.printStackTrace(cl.getErr());
    }
    String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    cl.getErr().println("ctshift: error: " + msg);
    if (!debug && !(ex instanceof CtShiftException)) {
      cl.getErr().println("ctshift: this looks like a bug; please report it with the output above.");
    }
    cl.getErr().flush();
    return exitCodeOf(ex);
  }
}
