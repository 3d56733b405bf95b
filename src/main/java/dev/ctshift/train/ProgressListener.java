package dev.ctshift.train;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Receives training progress, e.g. to draw a progress bar. Called on the training thread. */
public interface ProgressListener {

  /** Ignores all progress. */
  ProgressListener NONE = new ProgressListener() {};

  /** After each optimisation step. */
  default void onStep(Step step) {}

  /** After each epoch's validation and checkpoint. */
  default void onEpoch(EpochReport report) {}

  /**
   * One finished step.
   *
   * @param epoch 1-based epoch number
   * @param epochs last epoch of the run
   * @param step 1-based step within the epoch
   * @param steps steps per epoch
   * @param loss this step's training loss
   * @param eta estimated time until the run ends, from the mean step time of this run so far
   */
  record Step(int epoch, int epochs, int step, int steps, double loss, Duration eta) {}

  /**
   * One finished epoch.
   *
   * @param epoch 1-based epoch number
   * @param trainLoss mean step loss over the epoch
   * @param validationLoss mean loss on the validation split (NaN without one)
   * @param metrics validation metrics by name (empty without a validation split), e.g. {@code psnr}
   */
  record EpochReport(int epoch, double trainLoss, double validationLoss, Map<String, Double> metrics) {
    public EpochReport {
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
  }
}
