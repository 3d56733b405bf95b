package dev.ctshift.batch;

/** What a {@link BatchRunner} reports while it runs, for progress displays. */
public interface BatchListener {
  /**
   * Called once before the first scan.
   *
   * @param total scans in this run (shard)
   * @param skipped of them, done by an earlier run and skipped
   * @param redo of them, left unfinished or failed by an earlier run and redone now
   */
  void started(int total, int skipped, int redo);

  /** A scan starts; {@code position} counts from 1 over the scans to do. */
  void scanStarted(ScanJob job, int position, int toDo);

  /** A scan ended (ok or failed); the summary already holds its row. */
  void scanFinished(SummaryRow row, Throwable failure);

  /**
   * A scan ended with one row per target explained (one row when it failed); the summary already
   * holds them. By default reported as {@link #scanFinished(SummaryRow, Throwable)} of the first row.
   */
  default void scanFinished(java.util.List<SummaryRow> rows, Throwable failure) {
    scanFinished(rows.get(0), failure);
  }

  /** Details: engine progress and reader notices of the current scan. */
  void detail(String line);

  /** Called once after the last scan. */
  void finished(Summary summary);
}
