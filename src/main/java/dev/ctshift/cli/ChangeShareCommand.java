package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.demo.ChangeShare;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ctshift demo change-share}: where an explanation changed a demo scan ({@link ChangeShare}). */
@Command(name = "change-share", hidden = true, mixinStandardHelpOptions = true,
    header = "Share of a difference volume's absolute change inside a dilated label (explain check).")
final class ChangeShareCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Option(names = "--difference", required = true, paramLabel = "NIFTI") Path difference;
  @Option(names = "--labels", required = true, paramLabel = "NIFTI") Path labels;
  @Option(names = "--label", defaultValue = "2", paramLabel = "CODE") int label;
  @Option(names = "--dilate", defaultValue = "1", paramLabel = "VOXELS") int dilate;

  @Override
  public Integer call() throws CtShiftException {
    ChangeShare s = ChangeShare.of(difference, labels, label, dilate);
    spec.commandLine().getOut().printf(Locale.ROOT,
        "change inside label %d dilated by %d voxels: %.3f of the absolute change, in %.3f of the voxels%n",
        label, dilate, s.share(), s.volumeShare());
    StringBuilder outside = new StringBuilder("outside it, by label:");
    s.outsideByLabel().forEach((code, share) -> outside.append(String.format(Locale.ROOT, " %d %.3f", code, share)));
    spec.commandLine().getOut().println(outside);
    return 0;
  }
}
