package dev.ctshift.train;

import ai.djl.ndarray.NDArray;

/** One batch of a training step or of validation, with its parts named by the trainer's kind. */
public interface TrainingBatch {
  /** The network input, e.g. {@code [B, 1, D, H, W]}. */
  NDArray input();

  /** What the validation metrics compare the network's (first) output with. */
  NDArray target();
}
