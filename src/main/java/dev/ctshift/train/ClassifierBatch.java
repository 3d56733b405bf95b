package dev.ctshift.train;

import ai.djl.ndarray.NDArray;

/**
 * A classifier's batch. Without finding regions only {@code input} and {@code labels} are set; the
 * other parts are null when the training does not use them.
 *
 * @param input scans [B, 1, D, H, W]
 * @param labels scan-level targets [B, K]
 * @param regionTargets with regions: 1 in the evidence-map cells that hold the output's finding,
 *     [B, K, d, h, w]
 * @param supervised with regions: 1 for the outputs that have a region, [1, K, 1, 1, 1]
 * @param labelWeights weight of each output's scan-level loss [1, K] (crops: the outputs with a region;
 *     with the gradient penalty on whole volumes: all 1), or null for the plain mean
 * @param penaltyMask with the gradient penalty: 1 where an output's input gradient is penalised,
 *     [B, K, D, H, W]
 */
public record ClassifierBatch(NDArray input, NDArray labels, NDArray regionTargets, NDArray supervised,
    NDArray labelWeights, NDArray penaltyMask) implements TrainingBatch {
  /** The scan-level labels. */
  @Override
  public NDArray target() {
    return labels;
  }
}
