package dev.ctshift.model;

/**
 * A model's output does not have the shape its manifest promises (e.g. a classifier that returns a
 * scalar or a per-slice map instead of {@code [1, K]}). Found at the model's first use; the pipeline
 * reports it as a model failure (exit code 4).
 */
public final class ModelOutputException extends IllegalStateException {
  public ModelOutputException(String message) {
    super(message);
  }
}
