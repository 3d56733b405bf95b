package dev.ctshift.batch;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Shows a batch's progress: on a terminal one line redrawn in place (bar, counts done/failed/total,
 * ETA), failures printed above it; elsewhere (logs, CI) one plain line per scan.
 */
public final class ProgressPrinter implements BatchListener {
  private static final int BAR = 24;

  private final PrintWriter err;
  private final boolean terminal;
  private final boolean quiet;
  private final boolean details;
  private int total;
  private int toDo;
  private int done;
  private int failed;
  private int handled;
  private double secondsSpent;
  private String current = "";

  /**
   * @param terminal redraw one line in place instead of printing lines
   * @param quiet print nothing but failures
   * @param details also print engine progress and reader notices of each scan
   */
  public ProgressPrinter(PrintWriter err, boolean terminal, boolean quiet, boolean details) {
    this.err = err;
    this.terminal = terminal && !quiet;
    this.quiet = quiet;
    this.details = details;
  }

  @Override
  public void started(int total, int skipped, int redo) {
    this.total = total;
    this.toDo = total - skipped;
    this.done = skipped;
    if (skipped > 0 || redo > 0) {
      line(String.format(Locale.ROOT, "resuming: %d of %d scans done before (skipped), %d unfinished or failed"
          + " before (redone), %d new", skipped, total, redo, total - skipped - redo));
    } else {
      line("batch of " + total + " scans");
    }
    redraw();
  }

  @Override
  public void scanStarted(ScanJob job, int position, int toDo) {
    current = job.input() + (job.seriesUid() != null ? " (series " + job.seriesUid() + ")" : "");
    if (!terminal) {
      line(String.format(Locale.ROOT, "[%d/%d] %s", position, toDo, current));
    }
    redraw();
  }

  @Override
  public void scanFinished(SummaryRow row, Throwable failure) {
    scanFinished(List.of(row), failure);
  }

  @Override
  public void scanFinished(List<SummaryRow> rows, Throwable failure) {
    SummaryRow row = rows.get(0);
    handled++;
    secondsSpent += row.seconds() == null ? 0 : row.seconds();
    if (row.status() == Status.FAILED) {
      failed++;
      clearBar();
      err.println("ctshift: failed: " + row.input() + ": " + row.error());
      if (details && failure != null) {
        failure.printStackTrace(err);
      }
    } else {
      done++;
      if (!terminal) {
        for (SummaryRow r : rows) {
          line(String.format(Locale.ROOT, "ok: %s: %s %.4g -> %.4g (%s), %.1f s, outputs in %s", r.input(),
              r.target(), r.scoreBefore(), r.scoreAfter(), r.stopReason(), r.seconds(), r.output()));
        }
      }
    }
    redraw();
    err.flush();
  }

  @Override
  public void detail(String text) {
    if (details) {
      line(text);
      redraw();
    }
  }

  @Override
  public void finished(Summary summary) {
    if (terminal) {
      err.print("\r" + bar() + "\n");
      err.flush();
    }
  }

  /** The progress line: bar, counts and ETA, e.g. {@code [######....] 6/10 done, 1 failed, ETA 12 s}. */
  String bar() {
    int finished = done + failed;
    int filled = total == 0 ? BAR : BAR * finished / total;
    String eta = handled == 0 || finished == total ? "" : ", ETA " + duration(secondsSpent / handled
        * (toDo - handled));
    return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + done + "/" + total + " done, " + failed
        + " failed" + eta + (finished < total && !current.isEmpty() ? "  " + current : "");
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s"
        : (s / 3600) + " h " + (s % 3600 / 60) + " min";
  }

  private void line(String text) {
    if (quiet) {
      return;
    }
    clearBar();
    err.println("ctshift: " + text);
    err.flush();
  }

  private void redraw() {
    if (terminal) {
      err.print("\r" + bar() + "\u001b[K");
      err.flush();
    }
  }

  private void clearBar() {
    if (terminal) {
      err.print("\r\u001b[K");
    }
  }
}
