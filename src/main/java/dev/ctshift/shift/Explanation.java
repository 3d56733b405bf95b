package dev.ctshift.shift;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The result of one Latent Shift explanation, in the model's input space: volumes are {@code [D][H][W]}
 * float arrays (W fastest), values in the model's intensity range.
 *
 * @param depth slices D
 * @param height rows H
 * @param width columns W
 * @param input the preprocessed scan x (the explainer's input array itself, not a copy)
 * @param reconstruction Dec(Enc(x))
 * @param frames the sweep, from the counterfactual (λ*) to λ = 0, both included; a writer may take each
 *     frame's volume once it is written ({@link #takeFrameValues})
 * @param heatmap change summary of the sweep (see {@link ShiftConfig.Heatmap}), in range units
 * @param scanScore score of the model on x
 * @param reconstructionScore score of the model on the reconstruction
 * @param search λ search trace and stop reason
 * @param gradientNorm |g|, the norm of the latent gradient of the link
 * @param gradientsAt the λ (path coordinate) of every gradient taken: 0, then one per restart
 * @param sweepEvaluations volume evaluations spent on the sweep (beyond the search)
 * @param seconds wall time per stage (encode, gradient, search, sweep, heatmap)
 * @param legs the path's straight pieces in order, one per gradient followed, with why the search
 *     left each; empty when nothing was shifted ({@link StopReason#ALREADY_AT_TARGET})
 * @param path the path taken: "none" (nothing shifted), "straight" (one gradient), "restarted" (new
 *     gradients where the score stalled), "curved-retry" (the first path fell short, and a search
 *     again from the scan with a new gradient every few evaluations got further), or "reference"
 */
public record Explanation(
    int depth,
    int height,
    int width,
    float[] input,
    float[] reconstruction,
    List<Frame> frames,
    float[] heatmap,
    double scanScore,
    double reconstructionScore,
    LambdaSearch.Result search,
    double gradientNorm,
    List<Double> gradientsAt,
    int sweepEvaluations,
    Map<String, Double> seconds,
    List<Leg> legs,
    String path) {

  /**
   * One straight piece of a shift path: where it starts (path coordinate λ), why the search left it,
   * the evaluations spent along it, and which path it belongs to (1: the first, from the scan; 2: the
   * search that started again from the scan when the first fell short).
   */
  public record Leg(double fromLambda, StopReason reason, int evaluations, int attempt) {}


  /** Copies the list of frames, whose volumes {@link #takeFrameValues} may take. */
  public Explanation {
    frames = new ArrayList<>(frames);
  }

  public List<Frame> frames() {
    return Collections.unmodifiableList(frames);
  }

  /** One sweep frame: its λ, the model's score on it, and the volume (null once taken). */
  public record Frame(double lambda, double score, float[] values) {}

  /**
   * Frame {@code i}'s volume, handed over: from then on the frame keeps its λ and score only. A writer
   * that maps each frame once takes it this way, so that the model-space frames are not all held until
   * the last output is written (ten volumes, 270 MB at 224×224×134).
   *
   * @throws IllegalStateException if it was taken before
   */
  public float[] takeFrameValues(int i) {
    Frame f = frames.get(i);
    if (f.values() == null) {
      throw new IllegalStateException("the volume of sweep frame " + i + " was taken before");
    }
    frames.set(i, new Frame(f.lambda(), f.score(), null));
    return f.values();
  }

  /** The counterfactual: the frame at λ*. */
  public Frame counterfactual() {
    return frames.get(0);
  }

  /** The frame at λ = 0 (the scan in residual mode, the reconstruction otherwise). */
  public Frame original() {
    return frames.get(frames.size() - 1);
  }

  /**
   * Gradients computed for the path: one per leg, except that a search started again from the scan
   * reuses the scan's gradient. Each costs a model forward and backward pass and a decoder pass with
   * gradient.
   */
  public int gradients() {
    return legs.size() - (legs.stream().anyMatch(l -> l.attempt() == 2) ? 1 : 0);
  }

  /** Score on the scan minus score on its reconstruction. */
  public double reconstructionGap() {
    return scanScore - reconstructionScore;
  }

  /** Model evaluations of the whole volume: search plus sweep (the gradient pass not included). */
  public int evaluations() {
    return search.evaluations() + sweepEvaluations;
  }
}
