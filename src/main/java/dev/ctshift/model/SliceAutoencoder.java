package dev.ctshift.model;

import ai.djl.ndarray.NDArray;

/**
 * A 2D autoencoder applied to axial slices.
 *
 * <p>Slices are {@code [B, 1, H, W]} float32 tensors in the preprocessed intensity range (usually
 * 0..1). Latents have whatever shape the encoder produces, {@code [B, ...]}; the engine treats them as
 * opaque and only adds gradients of the same shape to them.
 *
 * <p>Results are attached to the manager of the input array: callers scope them with a sub-manager.
 */
public interface SliceAutoencoder extends AutoCloseable {

  /** Encodes a batch of slices, without recording gradients. */
  NDArray encode(NDArray slices);

  /**
   * Decodes a batch of latents. With {@code differentiable} the call is recorded so that a
   * {@code GradientCollector} open around it can back-propagate to {@code latents}; without it no
   * graph is kept.
   */
  NDArray decode(NDArray latents, boolean differentiable);

  /** The manifest this autoencoder was loaded from. */
  ModelManifest manifest();

  @Override
  void close();
}
