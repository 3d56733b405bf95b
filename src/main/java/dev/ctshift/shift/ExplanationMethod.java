package dev.ctshift.shift;

import java.util.Locale;
import java.util.Optional;

/**
 * Named presets of the path a Latent Shift explanation takes: composition, λ search and how many
 * gradients it may follow. A preset sets those settings of a {@link ShiftConfig.Builder}; settings
 * given after it override it.
 *
 * <pre>{@code
 * ShiftConfig paper = ExplanationMethod.PAPER.apply(ShiftConfig.builder()).build();
 * }</pre>
 */
public enum ExplanationMethod {
  /**
   * Residual composition, adaptive search, and a new gradient at the best frame wherever the score
   * stops moving before the target, within {@link ShiftConfig#DEFAULT_SEARCH_BUDGET} evaluations.
   */
  DEFAULT(ShiftConfig.Composition.RESIDUAL, ShiftConfig.Search.ADAPTIVE, ShiftConfig.DEFAULT_RESTARTS, 0),
  /**
   * The published method as the original code runs it: reconstruction composition, the reference λ
   * schedule along the gradient of the score, one straight shift.
   */
  PAPER(ShiftConfig.Composition.RECONSTRUCTION, ShiftConfig.Search.REFERENCE, 0, 0),
  /** Residual composition, adaptive search, one straight shift (the default of earlier releases). */
  STRAIGHT(ShiftConfig.Composition.RESIDUAL, ShiftConfig.Search.ADAPTIVE, 0, 0),
  /**
   * Residual composition, adaptive search, a new gradient after every two evaluations: a path that
   * bends with the score (measured against the default in docs/EVALUATION.md).
   */
  CURVED(ShiftConfig.Composition.RESIDUAL, ShiftConfig.Search.ADAPTIVE, ShiftConfig.DEFAULT_SEARCH_BUDGET, 2);

  private final ShiftConfig.Composition composition;
  private final ShiftConfig.Search search;
  private final int restarts;
  private final int relinearizeEvery;

  ExplanationMethod(ShiftConfig.Composition composition, ShiftConfig.Search search, int restarts,
      int relinearizeEvery) {
    this.composition = composition;
    this.search = search;
    this.restarts = restarts;
    this.relinearizeEvery = relinearizeEvery;
  }

  /** Sets this preset's composition, search, restarts and re-linearisation on {@code b}. */
  public ShiftConfig.Builder apply(ShiftConfig.Builder b) {
    return b.optComposition(composition).optSearch(search).optRestarts(restarts)
        .optRelinearizeEvery(relinearizeEvery);
  }

  /** The preset whose settings {@code config} has, if any (reports name it). */
  public static Optional<ExplanationMethod> of(ShiftConfig config) {
    for (ExplanationMethod m : values()) {
      if (m.composition == config.composition() && m.search == config.search()
          && (m.search == ShiftConfig.Search.REFERENCE
              || m.restarts == config.restarts() && m.relinearizeEvery == config.relinearizeEvery())) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Lower-case name, as on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
