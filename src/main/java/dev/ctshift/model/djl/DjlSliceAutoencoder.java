package dev.ctshift.model.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;

/**
 * A trained {@code slice-ae} seen as a {@link SliceAutoencoder}: slices {@code [B, 1, H, W]} (H, W
 * multiples of {@code 2^levels}) to latents {@code [B, latent_channels, H/2^levels, W/2^levels]} and
 * back to {@code [B, 1, H, W]} in [0, 1]. Weights are frozen, so a differentiable decode records
 * gradients for the latents only. Owns the network and closes it.
 */
public final class DjlSliceAutoencoder implements SliceAutoencoder {
  private final ModelManifest manifest;
  private final DjlNetwork network;

  /** Wraps {@code network} (taking ownership) and freezes its weights. */
  public DjlSliceAutoencoder(ModelManifest manifest, DjlNetwork network) {
    if (network.architecture() != Architecture.SLICE_AE) {
      throw new IllegalArgumentException("not an autoencoder: " + network);
    }
    this.manifest = manifest;
    this.network = network;
    network.freeze(true);
  }

  /**
   * Encodes without recording gradients.
   *
   * @throws IllegalArgumentException if {@code slices} is not {@code [B, 1, H, W]} with H and W
   *     multiples of the network's downsampling factor
   */
  @Override
  public NDArray encode(NDArray slices) {
    int multiple = network.architectureArgs(ArchitectureArgs.SliceAe.class).sizeMultiple();
    long[] s = slices.getShape().getShape();
    if (s.length != 4 || s[1] != 1 || s[2] % multiple != 0 || s[3] % multiple != 0) {
      throw new IllegalArgumentException(manifest.name() + ": slices must be [B, 1, H, W] with H, W"
          + " multiples of " + multiple + ", got " + slices.getShape());
    }
    return run(network.encoder(), slices.stopGradient());
  }

  @Override
  public NDArray decode(NDArray latents, boolean differentiable) {
    return run(network.decoder(), differentiable ? latents : latents.stopGradient());
  }

  private NDArray run(Block block, NDArray input) {
    return block.forward(network.parameterStore(), new NDList(input), false).singletonOrThrow();
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public void close() {
    network.close();
  }
}
