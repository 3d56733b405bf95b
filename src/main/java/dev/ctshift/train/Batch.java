package dev.ctshift.train;

import ai.djl.ndarray.NDArray;

/**
 * A batch of an input and a single target of the same layout as the network's output (the
 * autoencoder's slices, the segmenter's one-hot masks).
 */
public record Batch(NDArray input, NDArray target) implements TrainingBatch {}
