package dev.ctshift.train;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Prints training progress: on a terminal a bar redrawn in place ({@code \r}) after each step,
 * elsewhere (logs, CI) a plain step line at most every 30 seconds; and one line per epoch with
 * losses and validation metrics.
 *
 * <pre>
 * epoch 2/10 [##########..........] 5/10 loss 0.01234 ETA 0:01:05
 * epoch 2 loss 0.01301 val 0.01187 psnr 24.3100 ssim 0.8123
 * </pre>
 */
public final class ConsoleProgress implements ProgressListener {
  private static final int BAR = 20;
  private static final long PLAIN_INTERVAL_NANOS = 30_000_000_000L;
  private final PrintWriter out;
  private final boolean terminal;
  private long lastPlainLine = System.nanoTime();

  /** Writes to {@code out} (not closed), flushing after each update; a bar if stdin/out is a terminal. */
  public ConsoleProgress(PrintWriter out) {
    this(out, System.console() != null);
  }

  /** As above, saying whether {@code out} is a terminal. */
  public ConsoleProgress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void onStep(Step s) {
    String status = String.format(Locale.ROOT, "%d/%d loss %.5f ETA %s", s.step(), s.steps(), s.loss(),
        clock(s.eta()));
    if (terminal) {
      int filled = (int) ((long) BAR * s.step() / s.steps());
      out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %s", s.epoch(), s.epochs(), "#".repeat(filled),
          ".".repeat(BAR - filled), status));
    } else if (System.nanoTime() - lastPlainLine >= PLAIN_INTERVAL_NANOS) {
      lastPlainLine = System.nanoTime();
      out.println(String.format(Locale.ROOT, "epoch %d/%d step %s", s.epoch(), s.epochs(), status));
    }
    out.flush();
  }

  @Override
  public void onEpoch(EpochReport r) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%sepoch %d loss %.5f", terminal ? "\r" : "",
        r.epoch(),
        r.trainLoss()));
    if (!Double.isNaN(r.validationLoss())) {
      line.append(String.format(Locale.ROOT, " val %.5f", r.validationLoss()));
    }
    for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
      line.append(String.format(Locale.ROOT, " %s %.4f", m.getKey(), m.getValue()));
    }
    // Pad so that the longer progress bar line is fully overwritten.
    out.println(String.format("%-60s", line));
    out.flush();
  }

  /** {@code h:mm:ss}. */
  static String clock(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }
}
