package dev.ctshift.shift;

import java.util.List;
import java.util.Map;

/**
 * The result of one Latent Shift explanation, in the model's input space: volumes are {@code [D][H][W]}
 * float arrays (W fastest), values in the model's intensity range.
 *
 * @param depth slices D
 * @param height rows H
 * @param width columns W
 * @param input the preprocessed scan x
 * @param reconstruction Dec(Enc(x))
 * @param frames the sweep, from the counterfactual (λ*) to λ = 0, both included
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
    List<Leg> legs) {

  /**
   * One straight piece of the shift path: where it starts (path coordinate λ), why the search left it
   * (the last leg's reason is the search's), and the evaluations spent along it.
   */
  public record Leg(double fromLambda, StopReason reason, int evaluations) {}

  /** One sweep frame: its λ, the model's score on it, and the volume. */
  public record Frame(double lambda, double score, float[] values) {}

  /** The counterfactual: the frame at λ*. */
  public Frame counterfactual() {
    return frames.get(0);
  }

  /** The frame at λ = 0 (the scan in residual mode, the reconstruction otherwise). */
  public Frame original() {
    return frames.get(frames.size() - 1);
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
