package dev.ctshift.model;

import ai.djl.ndarray.NDArray;

/**
 * A 3D model (classifier or segmenter) applied to a whole preprocessed volume.
 *
 * <p>The input is always {@code [1, 1, D, H, W]} (NCDHW) float32; an implementation whose network
 * expects another layout (e.g. depth-last NCHWD) permutes internally, so the engine never sees it.
 * The output is the network's raw output: {@code [1, K]} for a classifier, {@code [1, C, D, H, W]}
 * (NCDHW, permuted back if needed) for a segmenter.
 */
public interface VolumeModel extends AutoCloseable {

  /**
   * Runs the network. With {@code differentiable} the call is recorded for back-propagation to
   * {@code volume} inside an open {@code GradientCollector}.
   */
  NDArray forward(NDArray volume, boolean differentiable);

  /** The manifest this model was loaded from. */
  ModelManifest manifest();

  /**
   * A view that computes output {@code index} exactly as this model does and may skip the work of
   * outputs that do not feed it (their values are then NaN); by default this model itself. The view
   * shares this model's resources: closing it does nothing, and it is valid while this model is open.
   */
  default VolumeModel forOutput(int index) {
    return this;
  }

  @Override
  void close();
}
