package dev.ctshift.shift;

import dev.ctshift.shift.ShiftConfig.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds λ*, the smallest shift at which the score has moved as requested, spending as few volume
 * evaluations as it can. It knows nothing about tensors: it sees the path through an
 * {@link Evaluator}, which makes every guard testable on a synthetic path.
 *
 * <p>Sign convention: the direction is the gradient of the link, so to first order
 * {@code link(λ) ≈ link(0) + λ·slope} with {@code slope = |g|² > 0}; lowering needs λ < 0.
 */
public final class LambdaSearch {

  /** Evaluates the volume at one λ. */
  @FunctionalInterface
  public interface Evaluator {
    Step evaluate(double lambda);
  }

  /** The outcome: λ*, why the search stopped, and every step it took (λ = 0 first). */
  public record Result(double lambdaStar, StopReason reason, List<Step> trace) {
    /** Evaluations spent, not counting the λ = 0 step that was given. */
    public int evaluations() {
      return trace.size() - 1;
    }

    /** The step at λ*. */
    public Step star() {
      return trace.stream().filter(s -> s.lambda() == lambdaStar).findFirst().orElseThrow();
    }
  }

  /** Largest distance in link units (log-odds for probabilities) accepted as "at the target". */
  static final double LINK_TOLERANCE = 0.25;

  private LambdaSearch() {}

  /** Times a step that made no progress is shortened before the search gives up. */
  static final int MAX_BACKTRACKS = 4;

  /**
   * The default search: a first guess from the linearisation at λ = 0; secant steps (growing at least
   * 1.5× and at most 4× per step) while the score moves the right way; a step that overshoots into a
   * region where the score moves back is shortened to a quarter (backtracking); once the target is
   * passed, regula falsi inside the bracket.
   *
   * @param start the step at λ = 0
   * @param targetLink the link value to reach
   * @param slope d link / d λ at λ = 0, i.e. |g|²
   */
  public static Result adaptive(Evaluator evaluator, Step start, double targetLink, double slope,
      ShiftConfig config) {
    return adaptive(evaluator, start, targetLink, slope, config, config.maxEvaluations());
  }

  /**
   * The default search, stopping with {@link StopReason#EVALUATION_LIMIT} after {@code lineEvaluations}
   * secant steps without reaching the target; the refinement after the target is reached and the
   * budget interpolation may go on up to {@link ShiftConfig#maxEvaluations()}.
   */
  public static Result adaptive(Evaluator evaluator, Step start, double targetLink, double slope,
      ShiftConfig config, int lineEvaluations) {
    int sign = config.direction() == Direction.LOWER ? 1 : -1;
    List<Step> trace = new ArrayList<>(List.of(start));
    if (reached(start, targetLink, sign)) {
      return new Result(0, StopReason.ALREADY_AT_TARGET, trace);
    }
    if (!(slope > 0) || !Double.isFinite(slope)) {
      return new Result(0, StopReason.NO_GRADIENT, trace);
    }
    double lambda = clampLambda((targetLink - start.link()) / slope, config.maxLambda());
    Step previous = start;
    int backtracks = 0;
    while (trace.size() - 1 < Math.min(lineEvaluations, config.maxEvaluations())) {
      Step step = evaluator.evaluate(lambda);
      trace.add(step);
      if (step.change() > config.changeBudget()) {
        return budgetStop(evaluator, previous, step, targetLink, sign, config, trace);
      }
      if (reached(step, targetLink, sign)) {
        return refine(evaluator, previous, step, targetLink, sign, config, trace);
      }
      if (sign * (previous.link() - step.link()) <= 0) {
        if (++backtracks > MAX_BACKTRACKS) {
          return new Result(mostProgressed(trace, sign).lambda(), StopReason.SCORE_PLATEAU, trace);
        }
        lambda = previous.lambda() + 0.25 * (lambda - previous.lambda());
        continue;
      }
      if (Math.abs(lambda) >= config.maxLambda()) {
        return new Result(mostProgressed(trace, sign).lambda(), StopReason.LAMBDA_LIMIT, trace);
      }
      double secantSlope = (step.link() - previous.link()) / (step.lambda() - previous.lambda());
      double next = step.lambda() + (targetLink - step.link()) / secantSlope;
      double grown = Math.min(Math.max(Math.abs(next), 1.5 * Math.abs(lambda)), 4 * Math.abs(lambda));
      previous = step;
      lambda = clampLambda(Math.signum(lambda) * grown, config.maxLambda());
    }
    return new Result(mostProgressed(trace, sign).lambda(), StopReason.EVALUATION_LIMIT, trace);
  }

  /** Regula falsi (Illinois variant) between a step short of the target and one past it. */
  private static Result refine(Evaluator evaluator, Step shortOf, Step past, double targetLink, int sign,
      ShiftConfig config, List<Step> trace) {
    Step lo = shortOf;
    Step hi = past;
    double loWeight = 1;
    double hiWeight = 1;
    for (int i = 0; i < config.refineSteps() && trace.size() - 1 < config.maxEvaluations(); i++) {
      if (Math.abs(hi.link() - targetLink) <= LINK_TOLERANCE) {
        break;
      }
      double fLo = (lo.link() - targetLink) * loWeight;
      double fHi = (hi.link() - targetLink) * hiWeight;
      double lambda = lo.lambda() + fLo * (hi.lambda() - lo.lambda()) / (fLo - fHi);
      if (!Double.isFinite(lambda) || lambda == lo.lambda() || lambda == hi.lambda()) {
        lambda = 0.5 * (lo.lambda() + hi.lambda());
      }
      Step step = evaluator.evaluate(lambda);
      trace.add(step);
      if (reached(step, targetLink, sign) && step.change() <= config.changeBudget()) {
        hi = step;
        hiWeight = 1;
        loWeight *= 0.5;
      } else {
        lo = step;
        loWeight = 1;
        hiWeight *= 0.5;
      }
    }
    return new Result(hi.lambda(), StopReason.REACHED_TARGET, trace);
  }

  /**
   * The change budget was exceeded at {@code over}. The change grows about linearly with λ, so
   * interpolate toward the λ that uses 90% of the budget; keep the largest shift found inside it.
   */
  private static Result budgetStop(Evaluator evaluator, Step within, Step over, double targetLink, int sign,
      ShiftConfig config, List<Step> trace) {
    double budget = config.changeBudget();
    Step best = within;
    Step outside = over;
    for (int i = 0; i < config.refineSteps() + 2 && trace.size() - 1 < config.maxEvaluations(); i++) {
      double t = (0.9 * budget - best.change()) / (outside.change() - best.change());
      double lambda = best.lambda() + Math.min(0.9, Math.max(0.1, t)) * (outside.lambda() - best.lambda());
      Step step = evaluator.evaluate(lambda);
      trace.add(step);
      if (step.change() > budget) {
        outside = step;
        continue;
      }
      if (reached(step, targetLink, sign)) {
        return refine(evaluator, best, step, targetLink, sign, config, trace);
      }
      if (sign * (best.link() - step.link()) > 0) {
        best = step;
      }
      if (best.change() >= 0.8 * budget) {
        break;
      }
    }
    return new Result(best.lambda(), StopReason.CHANGE_BUDGET, trace);
  }

  /**
   * The original code's search, for comparison: fixed schedule λ ← λ − 10 + ⌊λ/10⌋ (mirrored when
   * raising), stopping when the score rises, falls below 0.05, has dropped by 0.8, |λ| ≥ 3000, or the
   * change exceeds the budget; λ* is the last λ tried. The evaluator must shift along the gradient
   * of the score, not its link, as that code did.
   */
  public static Result reference(Evaluator evaluator, Step start, ShiftConfig config) {
    int sign = config.direction() == Direction.LOWER ? 1 : -1;
    List<Step> trace = new ArrayList<>(List.of(start));
    double magnitude = 0;
    Step last = start;
    while (true) {
      magnitude = magnitude + 10 - Math.floor(-magnitude / 10);
      double lambda = -sign * magnitude;
      Step step = evaluator.evaluate(lambda);
      trace.add(step);
      double progress = sign * (start.score() - step.score());
      double position = sign > 0 ? step.score() : 1 - step.score();
      StopReason reason = null;
      if (sign * (step.score() - last.score()) > 0) {
        reason = StopReason.SCORE_PLATEAU;
      } else if (position < 0.05 || progress > 0.8) {
        reason = StopReason.REACHED_TARGET;
      } else if (magnitude >= 3000) {
        reason = StopReason.LAMBDA_LIMIT;
      } else if (step.change() > config.changeBudget()) {
        reason = StopReason.CHANGE_BUDGET;
      }
      if (reason != null) {
        return new Result(lambda, reason, trace);
      }
      last = step;
    }
  }

  private static boolean reached(Step step, double targetLink, int sign) {
    return sign * (step.link() - targetLink) <= 0;
  }

  private static Step mostProgressed(List<Step> trace, int sign) {
    Step best = trace.get(0);
    for (Step s : trace) {
      if (sign * (best.link() - s.link()) > 0) {
        best = s;
      }
    }
    return best;
  }

  private static double clampLambda(double lambda, double max) {
    return Math.max(-max, Math.min(max, lambda));
  }
}
