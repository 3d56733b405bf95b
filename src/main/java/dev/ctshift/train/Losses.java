package dev.ctshift.train;

import ai.djl.ndarray.NDArray;

/**
 * The training losses, as differentiable NDArray expressions returning float32 scalars. Constants
 * are float: a Java double becomes a float64 tensor, which promotes 0-d results to float64.
 */
final class Losses {
  private Losses() {}

  /** Mean squared error plus {@code l1Weight} times mean absolute error. */
  static NDArray reconstruction(NDArray output, NDArray target, double l1Weight) {
    NDArray diff = output.sub(target);
    NDArray loss = diff.square().mean();
    return l1Weight == 0 ? loss : loss.add(diff.abs().mean().mul((float) l1Weight));
  }

  /**
   * Mean binary cross-entropy on logits z with targets y in {0, 1}, in the stable form
   * {@code max(z, 0) - z y + log(1 + exp(-|z|))}.
   */
  static NDArray bceWithLogits(NDArray logits, NDArray targets) {
    return bceWithLogitsPerElement(logits, targets).mean();
  }

  /** {@link #bceWithLogits} before the mean: one loss per element. */
  static NDArray bceWithLogitsPerElement(NDArray logits, NDArray targets) {
    return logits.maximum(0f).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log());
  }

  /**
   * Softmax cross-entropy (mean over voxels) plus soft Dice loss {@code 1 - mean_c Dice_c}, Dice per
   * class over the whole batch: {@code (2 sum(p y) + eps) / (sum p + sum y + eps)}.
   *
   * @param logits {@code [B, C, D, H, W]}
   * @param oneHot targets of the same shape
   */
  static NDArray crossEntropyPlusDice(NDArray logits, NDArray oneHot) {
    float eps = 1e-5f;
    NDArray logP = logits.logSoftmax(1);
    NDArray ce = logP.mul(oneHot).sum(new int[] {1}).mean().neg();
    NDArray p = logP.exp();
    int[] notClass = {0, 2, 3, 4};
    NDArray inter = p.mul(oneHot).sum(notClass);
    NDArray denom = p.sum(notClass).add(oneHot.sum(notClass)).add(eps);
    NDArray dice = inter.mul(2f).add(eps).div(denom);
    return ce.add(dice.mean().neg().add(1f));
  }
}
