package dev.ctshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * {@code ctshift demo}: hidden tools of {@code scripts/make_demo_models}, which measure the bundled
 * demo models; not part of explaining or training.
 */
@Command(name = "demo", hidden = true, mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    header = "Figures of the bundled demo models (used by scripts/make_demo_models).",
    subcommands = {DemoEvaluateCommand.class, ChangeShareCommand.class})
public final class DemoCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a demo tool: evaluate or change-share");
  }
}
