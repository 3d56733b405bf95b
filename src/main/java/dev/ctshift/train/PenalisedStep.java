package dev.ctshift.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@link GradientPenalty} of a classifier's training step, and the PyTorch-specific calls it
 * needs. The penalty's input gradient comes from a backward pass that records its own graph
 * (PyTorch's {@code create_graph}), so the step differentiates the gradient itself, exactly. That
 * pass also leaves gradients with graphs on the weights, and DJL can neither skip the weights in it
 * nor reset their gradients; such a gradient would chain every step's graph to the next (memory grows
 * by a graph per step). So the step runs on fresh copies of the weights, whose gradients
 * {@link #weightGradient} hands to the optimiser and which the batch's manager frees.
 */
final class PenalisedStep {
  /** Added to a scan's sum of squared gradients before the share penalty divides by it. */
  private static final float SHARE_FLOOR = 1e-12f;

  private final GradientPenalty penalty;
  /** The copies of the weights the current training step runs on; null before the first step. */
  private Map<String, NDArray> stepWeights;

  PenalisedStep(GradientPenalty penalty) {
    this.penalty = penalty;
  }

  /**
   * [B, K, D, H, W]: 1 where output k's input gradient is penalised in scan b: if the scan holds some
   * of k's finding, every voxel farther than the margin from it (Chebyshev distance); else none.
   */
  NDArray mask(NDManager manager, List<int[]> regions, int[] regionClass, int[] shape) {
    int k = regionClass.length;
    int voxels = shape[0] * shape[1] * shape[2];
    float[] finding = new float[regions.size() * k * voxels];
    float[] present = new float[regions.size() * k];
    for (int b = 0; b < regions.size(); b++) {
      int[] region = regions.get(b);
      for (int label = 0; label < k; label++) {
        int c = regionClass[label];
        int offset = (b * k + label) * voxels;
        for (int i = 0; c > 0 && i < voxels; i++) {
          if (region[i] == c) {
            finding[offset + i] = 1;
            present[b * k + label] = 1;
          }
        }
      }
    }
    NDArray near = manager.create(finding, new Shape(regions.size(), k, shape[0], shape[1], shape[2]));
    int m = penalty.margin();
    if (m > 0) {
      Shape side = new Shape(2 * m + 1, 2 * m + 1, 2 * m + 1);
      near = Pool.maxPool3d(near, side, new Shape(1, 1, 1), new Shape(m, m, m), false);
    }
    return near.neg().add(1f).mul(manager.create(present, new Shape(regions.size(), k, 1, 1, 1)));
  }

  /**
   * {@code loss} of the output plus the penalty times its weight, on fresh copies of {@code weights}.
   *
   * @param forward the network's outputs (logits first) for an input with the weights a store gives
   * @param outside {@link #mask} of the batch
   */
  NDArray loss(NDArray input, NDArray outside, Iterable<Parameter> weights,
      BiFunction<NDArray, ParameterStore, NDList> forward, Function<NDList, NDArray> loss) {
    NDManager manager = input.getManager();
    stepWeights = new HashMap<>();
    for (Parameter p : weights) {
      NDArray copy = p.getArray().duplicate();
      copy.attach(manager);
      copy.setRequiresGradient(true);
      stepWeights.put(p.getId(), copy);
    }
    Map<String, NDArray> copies = stepWeights;
    ParameterStore store = new ParameterStore(manager, false) {
      @Override
      public NDArray getValue(Parameter parameter, Device device, boolean training) {
        return copies.get(parameter.getId());
      }
    };
    NDArray leaf = input.duplicate();
    leaf.setRequiresGradient(true);
    NDList output = forward.apply(leaf, store);
    NDArray penaltySum = manager.zeros(new Shape());
    NDArray before = null;
    for (int k = 0; k < outside.getShape().get(1); k++) {
      NDArray mask = outside.get(":, {}:{}", k, k + 1);
      if (mask.sum().getFloat() == 0) {
        continue;
      }
      NDArray score = output.head().get(":, {}", k).sum();
      try (NDArray one = score.onesLike()) {
        JniUtils.backward((PtNDArray) score, (PtNDArray) one, true, true);
      }
      // The leaf's gradient accumulates over the outputs (out of place, with its graph).
      NDArray accumulated = leaf.getGradient();
      NDArray g = before == null ? accumulated : accumulated.sub(before);
      before = accumulated;
      NDArray outsideSquares = g.mul(mask).square();
      if (penalty.relative()) {
        // Per scan; scans without the finding have no mask, so their share is 0. The floor keeps the
        // share's own gradient finite where a scan's gradient vanishes (its square must not underflow
        // float32, as 1e-30 squared does).
        int[] scanAxes = {1, 2, 3, 4};
        NDArray share = outsideSquares.sum(scanAxes).div(g.square().sum(scanAxes).add(SHARE_FLOOR));
        penaltySum = penaltySum.add(share.sum());
      } else {
        penaltySum = penaltySum.add(outsideSquares.sum());
      }
    }
    for (NDArray copy : copies.values()) {
      JniUtils.zeroGrad((PtNDArray) copy); // d(logit)/d(weights) from the passes above
    }
    return loss.apply(output).add(penaltySum.mul((float) (penalty.weight() / input.getShape().get(0))));
  }

  /** The gradient of the last {@link #loss} with respect to the copy of {@code weight}, or null before one. */
  NDArray weightGradient(Parameter weight) {
    return stepWeights == null ? null : stepWeights.get(weight.getId()).getGradient();
  }
}
