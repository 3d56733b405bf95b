package dev.ctshift.cli;

import dev.ctshift.shift.ShiftConfig;
import picocli.CommandLine.Option;

/**
 * The λ search, sweep and memory settings of the engine (a picocli mixin shared by {@code explain},
 * {@code batch} and {@code evaluate}), declared once so that their defaults and help are the same
 * everywhere. What path to take (method, composition, search, direction) is the command's own.
 */
public final class ShiftOptions {
  /** Most sweep frames: each costs a model evaluation and a scan-sized volume in memory. */
  static final int MAX_FRAMES = 100;

  @Option(names = "--stop-at", paramLabel = "SCORE",
      description = "Stop when the score reaches this value (e.g. a probability of 0.1). Default for"
          + " classifiers: a fifth of the decision threshold (0.1 for 0.5); otherwise see --stop-change.")
  Double stopAt;

  @Option(names = "--stop-change", paramLabel = "FRACTION", defaultValue = "0.5",
      description = "Relative score change to reach when no --stop-at applies. Default: ${DEFAULT-VALUE}.")
  double stopChange;

  @Option(names = "--chunk-slices", paramLabel = "N", defaultValue = "16",
      description = "Slices decoded with gradient at once: bounds memory. Default: ${DEFAULT-VALUE}.")
  int chunkSlices;

  @Option(names = "--encode-batch", paramLabel = "N", defaultValue = "0",
      description = "Slices encoded or decoded per batch without gradient; 0 chooses by slice size"
          + " (32 up to 256x256, 8 at 512x512). Default: ${DEFAULT-VALUE}.")
  int encodeBatch;

  @Option(names = "--change-budget", paramLabel = "FRACTION", defaultValue = "0.05",
      description = "Stop before the mean absolute change exceeds this fraction of the mean absolute"
          + " (preprocessed) scan. Default: ${DEFAULT-VALUE}.")
  double changeBudget;

  @Option(names = "--focus", paramLabel = "FRACTION", defaultValue = "1",
      description = "Shift only this share of the latent gradient's elements, the largest in magnitude:"
          + " a sparser, more local change. 1 shifts along the whole gradient (Latent Shift as published)."
          + " Default: ${DEFAULT-VALUE}.")
  double focus;

  @Option(names = "--restarts", paramLabel = "N",
      description = "When the score stalls along the gradient before the target, take a new gradient at"
          + " the best frame so far and go on, at most N times (0: one straight shift, as published)."
          + " Default: the --method's (" + ShiftConfig.DEFAULT_RESTARTS + ").")
  Integer restarts;

  @Option(names = "--max-evaluations", paramLabel = "N", defaultValue = "12",
      description = "Most volume evaluations the search may spend along one gradient. Default: ${DEFAULT-VALUE}.")
  int maxEvaluations;

  @Option(names = "--search-budget", paramLabel = "N", defaultValue = "" + ShiftConfig.DEFAULT_SEARCH_BUDGET,
      description = "Most volume evaluations of the whole adaptive search, over all its gradients."
          + " Default: ${DEFAULT-VALUE}.")
  int searchBudget;

  @Option(names = "--frames", paramLabel = "N", defaultValue = "10",
      description = "Sweep frames from the counterfactual to the scan (at most " + MAX_FRAMES + ")."
          + " Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--heatmap", paramLabel = "METHOD", defaultValue = "consecutive",
      description = "consecutive (mean change between consecutive frames), mean, max or endpoints."
          + " Default: ${DEFAULT-VALUE}.",
      converter = EnumConverters.Heatmap.class)
  ShiftConfig.Heatmap heatmap;

  /**
   * Sets these options on {@code b}; {@code --restarts} only when given, so that a preset's own value
   * stands otherwise.
   *
   * @throws IllegalArgumentException for a --stop-at that is not finite or too many frames (the builder
   *     checks the rest when it builds)
   */
  ShiftConfig.Builder applyTo(ShiftConfig.Builder b) {
    if (stopAt != null && !Double.isFinite(stopAt)) {
      throw new IllegalArgumentException("--stop-at must be a finite number, got " + stopAt);
    }
    if (frames > MAX_FRAMES) {
      throw new IllegalArgumentException("--frames must be at most " + MAX_FRAMES
          + " (each frame is a model evaluation and a scan-sized volume), got " + frames);
    }
    if (restarts != null) {
      b.optRestarts(restarts);
    }
    return b
        .optStopScore(stopAt)
        .optStopChange(stopChange)
        .optSearchBudget(searchBudget)
        .optChunkSlices(chunkSlices)
        .optEncodeBatch(encodeBatch)
        .optChangeBudget(changeBudget)
        .optFocus(focus)
        .optMaxEvaluations(maxEvaluations)
        .optFrames(frames)
        .optHeatmap(heatmap);
  }
}
