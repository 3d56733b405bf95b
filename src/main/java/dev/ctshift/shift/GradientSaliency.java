package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ctshift.model.VolumeModel;

/**
 * Plain gradient saliency, the baseline a counterfactual is compared with: the magnitude of the
 * gradient of the objective's link with respect to every input voxel.
 *
 * <p>The link (log-odds for a probability) is used rather than the score: {@code d score / d x} is
 * {@code d link / d x} times the positive scalar {@code d score / d link}, so every ranking, share or
 * top-k of the map is the same, while the score's gradient vanishes in float32 for a confident model.
 *
 * <pre>{@code
 * try (NDManager manager = runtime.newManager()) {
 *   float[] saliency = GradientSaliency.of(model, objective, manager, x, depth, height, width);
 * }
 * }</pre>
 */
public final class GradientSaliency {
  private GradientSaliency() {}

  /**
   * {@code |d link / d x|} for one preprocessed volume: one forward and backward pass of the model.
   *
   * @param volume {@code [D][H][W]} values, W fastest, in the model's range (not modified)
   * @return a new array in the same order, non-negative, in link units per model unit
   */
  public static float[] of(VolumeModel model, Objective objective, NDManager manager, float[] volume, int depth,
      int height, int width) {
    // Only the model half of the latent space is used: no autoencoder is needed for d link / d x.
    try (SliceLatentSpace space = new SliceLatentSpace(null, model, objective, manager, depth, height, width)) {
      NDArray gradient = space.volumeGradient(space.upload(volume)).gradient();
      return gradient.abs().toFloatArray();
    }
  }
}
