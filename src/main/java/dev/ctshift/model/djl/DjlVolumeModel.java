package dev.ctshift.model.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;

/**
 * A trained {@code classifier3d} ({@code [1, K]} logits) or {@code segmenter3d}
 * ({@code [1, C, D, H, W]} logits) seen as a {@link VolumeModel}. Input {@code [1, 1, D, H, W]}
 * (NCDHW, as the networks are trained). Weights are frozen, so a differentiable forward records
 * gradients for the volume only. Owns the network and closes it.
 */
public final class DjlVolumeModel implements VolumeModel {
  private final ModelManifest manifest;
  private final DjlNetwork network;

  /** Wraps {@code network} (taking ownership) and freezes its weights. */
  public DjlVolumeModel(ModelManifest manifest, DjlNetwork network) {
    if (network.architecture() == Architecture.SLICE_AE) {
      throw new IllegalArgumentException("not a volume model: " + network);
    }
    this.manifest = manifest;
    this.network = network;
    network.freeze(true);
  }

  /** @throws IllegalArgumentException if {@code volume} is not {@code [1, 1, D, H, W]} */
  @Override
  public NDArray forward(NDArray volume, boolean differentiable) {
    long[] s = volume.getShape().getShape();
    if (s.length != 5 || s[0] != 1 || s[1] != 1) {
      throw new IllegalArgumentException(
          manifest.name() + ": volume must be [1, 1, D, H, W], got " + volume.getShape());
    }
    NDArray input = differentiable ? volume : volume.stopGradient();
    return network.block().forward(network.parameterStore(), new NDList(input), false)
        .singletonOrThrow();
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
