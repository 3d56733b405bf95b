package dev.ctshift.batch;

/** The outcome of one scan in a batch summary. */
public enum Status {
  /** Explained by this run. */
  OK("ok"),
  /** Could not be explained; the summary row says why. */
  FAILED("failed"),
  /** Done by an earlier run of the same batch and left as it was. */
  SKIPPED_DONE("skipped-done");

  private final String label;

  Status(String label) {
    this.label = label;
  }

  /** The word written in summaries. */
  public String label() {
    return label;
  }

  /** The status written as {@code label}. */
  public static Status of(String label) {
    for (Status s : values()) {
      if (s.label.equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown status '" + label + "'");
  }

  /** Whether the scan has complete outputs. */
  public boolean finished() {
    return this != FAILED;
  }
}
