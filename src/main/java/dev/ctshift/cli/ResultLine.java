package dev.ctshift.cli;

import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.shift.StopReason;
import java.nio.file.Path;
import java.util.Locale;

/** The one line {@code explain} prints on stdout: what moved, how far, which path, and where the outputs are. */
final class ResultLine {
  private ResultLine() {}

  static String of(Path scan, Objective objective, ShiftConfig config, Explanation e, Path outDir) {
    if (e.search().reason() == StopReason.ALREADY_AT_TARGET) {
      boolean lower = config.direction() == ShiftConfig.Direction.LOWER;
      return String.format(Locale.ROOT, "%s: %s is already %.4f, %s where this search stops (%s): nothing to"
              + " explain, scan not shifted; report in %s. To move it anyway, try %s.",
          scan.getFileName(), objective.describe(), e.scanScore(), lower ? "at or below" : "at or above",
          StopReason.ALREADY_AT_TARGET.label(), outDir.resolve("report.json"),
          lower ? "--direction raise, or --stop-at with a score below it"
              : "--direction lower, or --stop-at with a score above it");
    }
    String path = e.legs().size() > 1 ? ", " + e.path() + ", " + e.gradients() + " gradients" : "";
    return String.format("%s: %s %.4f -> %.4f at lambda %.4g (%s%s); outputs in %s", scan.getFileName(),
        objective.describe(), e.original().score(), e.counterfactual().score(), e.search().lambdaStar(),
        e.search().reason().label(), path, outDir);
  }
}
