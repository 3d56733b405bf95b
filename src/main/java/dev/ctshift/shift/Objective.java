package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifest.Activation;
import dev.ctshift.model.ModelOutputException;
import java.util.List;

/**
 * The scalar being explained, computed from a 3D model's raw output.
 *
 * <p>Two numbers describe it: the <em>score</em> users read (a probability for a classifier with a
 * sigmoid or softmax, the soft voxel fraction of a class for a segmenter, the raw output otherwise)
 * and the <em>link</em>, a monotone transform of the score that the gradient is taken of. For
 * probabilities the link is the log-odds: near p = 0.999 the gradient of p vanishes while the gradient
 * of its log-odds does not, and both point the same way.
 */
public final class Objective {
  private final ModelManifest.Kind kind;
  private final Activation activation;
  private final int index;
  private final String name;
  private final double threshold;
  private final int declaredOutputs;

  private Objective(ModelManifest.Kind kind, Activation activation, int index, String name, double threshold,
      int declaredOutputs) {
    this.kind = kind;
    this.activation = activation;
    this.index = index;
    this.name = name;
    this.threshold = threshold;
    this.declaredOutputs = declaredOutputs;
  }

  /**
   * The objective for {@code target} (an output/class name or index; null for the manifest's default:
   * its score class for a segmenter, the first output of a classifier).
   *
   * @throws IllegalArgumentException naming the allowed targets when {@code target} is unknown
   */
  public static Objective of(ModelManifest manifest, String target) {
    String t = target != null ? target : manifest.scoreClass();
    List<String> names = manifest.outputs();
    int index;
    if (t == null) {
      index = manifest.kind() == ModelManifest.Kind.SEGMENTER && names.size() > 1 ? 1 : 0;
    } else if (names.contains(t)) {
      index = names.indexOf(t);
    } else if (t.matches("\\d+")) {
      index = Integer.parseInt(t);
      if (!names.isEmpty() && index >= names.size()) {
        throw new IllegalArgumentException("target index " + index + " is out of range: the model has "
            + names.size() + " outputs " + names);
      }
    } else {
      throw new IllegalArgumentException("unknown target '" + t + "'; the model's outputs are " + names
          + " (give a name or a 0-based index)");
    }
    String name = index < names.size() ? names.get(index) : "output " + index;
    return new Objective(manifest.kind(), manifest.activation(), index, name, manifest.threshold(), names.size());
  }

  /** The link (a differentiable scalar) of a model output; see the class comment. */
  public NDArray link(NDArray output) {
    if (kind == ModelManifest.Kind.SEGMENTER) {
      return segmenterLink(output);
    }
    checkClassifierShape(output.getShape());
    NDArray logits = output.reshape(-1);
    NDArray z = logits.get(index);
    if (activation != Activation.SOFTMAX) {
      return z;
    }
    // log-odds of softmax probability p_t: z_t - logsumexp over the other outputs.
    long k = logits.getShape().get(0);
    NDArray others = index == 0 ? logits.get("1:")
        : index == k - 1 ? logits.get(":" + index)
        : logits.get(":" + index).concat(logits.get((index + 1) + ":"));
    return z.sub(logSumExp(others));
  }

  private NDArray segmenterLink(NDArray output) {
    if (output.getShape().dimension() != 5) {
      throw new ModelOutputException("a segmenter must output [1, C, D, H, W], got " + output.getShape());
    }
    checkIndex(output.getShape().get(1));
    NDArray probability;
    if (activation == Activation.SOFTMAX) {
      probability = output.softmax(1).get(new NDIndex(":, {}", index));
    } else if (activation == Activation.SIGMOID) {
      probability = output.get(new NDIndex(":, {}", index)).getNDArrayInternal().sigmoid();
    } else {
      return output.get(new NDIndex(":, {}", index)).mean();
    }
    NDArray fraction = probability.mean().clip(1e-7, 1 - 1e-7);
    return fraction.log().sub(fraction.neg().add(1).log());
  }

  /** A classifier gives {@code [1, K]} (or {@code [K]}), K the number of names the manifest lists. */
  private void checkClassifierShape(ai.djl.ndarray.types.Shape shape) {
    int dims = shape.dimension();
    if (dims == 0 || dims > 2 || dims == 2 && shape.get(0) != 1) {
      throw new ModelOutputException("a classifier must output [1, K] (one value per output), got "
          + (dims == 0 ? "a scalar" : shape.toString()) + ": export the model with its outputs as [1, K]");
    }
    long k = shape.get(dims - 1);
    if (declaredOutputs > 0 && k != declaredOutputs) {
      throw new ModelOutputException("the manifest names " + declaredOutputs + " outputs but the model gives " + k
          + ": list one name per output in \"outputs\"");
    }
    checkIndex(k);
  }

  private void checkIndex(long available) {
    if (index >= available) {
      throw new ModelOutputException("target index " + index + " but the model produced only " + available
          + " outputs");
    }
  }

  private static NDArray logSumExp(NDArray v) {
    NDArray max = v.max();
    return v.sub(max).exp().sum().log().add(max);
  }

  /** Whether the score is a probability-like value in (0, 1) whose link is its log-odds. */
  public boolean isProbability() {
    return activation != Activation.NONE;
  }

  /** Score from link value. */
  public double score(double link) {
    return isProbability() ? 1 / (1 + Math.exp(-link)) : link;
  }

  /** Link value of a score (inverse of {@link #score}). */
  public double link(double score) {
    if (!isProbability()) {
      return score;
    }
    double p = Math.min(Math.max(score, 1e-7), 1 - 1e-7);
    return Math.log(p / (1 - p));
  }

  /** d score / d link at the given link value (the factor between the two gradients). */
  public double scorePerLink(double link) {
    if (!isProbability()) {
      return 1;
    }
    double p = score(link);
    return p * (1 - p);
  }

  /** Whether the score is a classifier's decision probability (with a decision threshold). */
  public boolean isClassifierProbability() {
    return kind == ModelManifest.Kind.CLASSIFIER && isProbability();
  }

  /** The decision threshold on the score (from the manifest; 0.5 by default). */
  public double threshold() {
    return threshold;
  }

  /** The output or class index being explained. */
  public int index() {
    return index;
  }

  /** The output or class name being explained. */
  public String name() {
    return name;
  }

  /** What the score is, e.g. "probability of effusion" or "soft voxel fraction of lung". */
  public String describe() {
    if (kind == ModelManifest.Kind.SEGMENTER) {
      return activation == Activation.NONE ? "mean output of class " + name : "soft voxel fraction of " + name;
    }
    return activation == Activation.NONE ? "output " + name : "probability of " + name;
  }
}
