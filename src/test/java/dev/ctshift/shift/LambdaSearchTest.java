package dev.ctshift.shift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** Every stop rule of both λ searches, on synthetic score paths where the right answer is known. */
class LambdaSearchTest {
  static final double LINK0 = 3.0; // p = 0.95
  static final double SLOPE = 2.0;

  /** A path with link(λ) given, change proportional to |λ|. */
  static LambdaSearch.Evaluator path(DoubleUnaryOperator link, double changePerLambda) {
    return lambda -> {
      double l = link.applyAsDouble(lambda);
      return new Step(lambda, l, 1 / (1 + Math.exp(-l)), changePerLambda * Math.abs(lambda));
    };
  }

  static Step start() {
    return new Step(0, LINK0, 1 / (1 + Math.exp(-LINK0)), 0);
  }

  static ShiftConfig config() {
    return ShiftConfig.builder().build();
  }

  @Test
  void linearPathIsSolvedByTheFirstGuess() {
    double target = -2.0;
    LambdaSearch.Result r = LambdaSearch.adaptive(path(l -> LINK0 + SLOPE * l, 0), start(), target, SLOPE, config());
    assertEquals(StopReason.REACHED_TARGET, r.reason());
    assertEquals(1, r.evaluations());
    assertEquals((target - LINK0) / SLOPE, r.lambdaStar(), 1e-9);
  }

  @Test
  void curvedPathIsBracketedAndRefinedInFewEvaluations() {
    // The link responds more and more weakly: the linear guess falls short, the secant catches up.
    double target = -2.0;
    DoubleUnaryOperator link = l -> LINK0 - 8 * Math.log1p(-SLOPE * l / 8);
    LambdaSearch.Result r = LambdaSearch.adaptive(path(link, 0), start(), target, SLOPE, config());
    assertEquals(StopReason.REACHED_TARGET, r.reason());
    assertTrue(r.evaluations() <= 6, "evaluations " + r.evaluations());
    Step star = r.star();
    assertTrue(star.link() <= target, "reached");
    assertTrue(star.link() > target - 0.5, "close to the target, not far beyond: " + star.link());
    // λ* is the smallest shift known to reach the target.
    for (Step s : r.trace()) {
      if (s.link() <= target) {
        assertTrue(Math.abs(s.lambda()) >= Math.abs(r.lambdaStar()));
      }
    }
  }

  @Test
  void scoreThatStopsFallingStopsTheSearchAtItsBest() {
    // Falls to a floor at λ = -1, then rises again: the target is never reached.
    DoubleUnaryOperator link = l -> LINK0 + 4 * (l + 1) * (l + 1) - 4;
    LambdaSearch.Result r = LambdaSearch.adaptive(path(link, 0), start(), -5, 8, config());
    assertEquals(StopReason.SCORE_PLATEAU, r.reason());
    double bestLink = r.trace().stream().mapToDouble(Step::link).min().orElseThrow();
    assertEquals(bestLink, r.star().link());
  }

  @Test
  void changeBudgetStopsTheSearchWithinBudget() {
    // 1% change per unit λ and a 5% budget: the target (λ = -10) lies beyond the budget (λ = -5).
    LambdaSearch.Result r = LambdaSearch.adaptive(path(l -> LINK0 + 0.5 * l, 0.01), start(), -2, 0.5, config());
    assertEquals(StopReason.CHANGE_BUDGET, r.reason());
    assertTrue(r.star().change() <= 0.05);
    assertTrue(r.star().change() > 0.02, "backs off only as far as needed: " + r.star().change());
  }

  @Test
  void firstGuessThatOvershootsIsShortened() {
    // The score falls to a minimum at λ = -3.3 and rises beyond it; the linear guess lands at -35.
    DoubleUnaryOperator link = l -> LINK0 + 4 * l + 0.6 * l * l;
    LambdaSearch.Result r = LambdaSearch.adaptive(path(link, 0), start(), -0.5, 0.1, config());
    assertEquals(StopReason.REACHED_TARGET, r.reason());
    assertTrue(r.star().link() <= -0.5);
  }

  @Test
  void lambdaLimitStopsTheSearch() {
    ShiftConfig c = ShiftConfig.builder().optMaxLambda(3).build();
    LambdaSearch.Result r = LambdaSearch.adaptive(path(l -> LINK0 + 0.2 * Math.tanh(l), 0), start(), -2, 0.2, c);
    assertEquals(StopReason.LAMBDA_LIMIT, r.reason());
    assertTrue(r.trace().stream().allMatch(s -> Math.abs(s.lambda()) <= 3));
  }

  @Test
  void evaluationLimitStopsTheSearch() {
    ShiftConfig c = ShiftConfig.builder().optMaxEvaluations(4).build();
    LambdaSearch.Result r = LambdaSearch.adaptive(path(l -> LINK0 - Math.log1p(-l), 0), start(), -100, 1, c);
    assertEquals(StopReason.EVALUATION_LIMIT, r.reason());
    assertEquals(4, r.evaluations());
  }

  @Test
  void zeroGradientAndReachedTargetNeedNoEvaluation() {
    LambdaSearch.Evaluator never = l -> {
      throw new AssertionError("must not evaluate");
    };
    assertEquals(StopReason.NO_GRADIENT, LambdaSearch.adaptive(never, start(), -2, 0, config()).reason());
    assertEquals(StopReason.ALREADY_AT_TARGET, LambdaSearch.adaptive(never, start(), 5, 1, config()).reason());
  }

  @Test
  void raisingMirrorsLowering() {
    ShiftConfig c = ShiftConfig.builder().optDirection(ShiftConfig.Direction.RAISE).build();
    Step low = new Step(0, -3, 1 / (1 + Math.exp(3)), 0);
    LambdaSearch.Result r = LambdaSearch.adaptive(path(l -> -3 + SLOPE * l, 0), low, 2, SLOPE, c);
    assertEquals(StopReason.REACHED_TARGET, r.reason());
    assertEquals(2.5, r.lambdaStar(), 1e-9);
  }

  @Test
  void referenceScheduleFollowsTheOriginalSteps() {
    // Very slow descent: the schedule runs until the change budget stops it.
    LambdaSearch.Result r = LambdaSearch.reference(path(l -> LINK0 + 0.001 * l, 0.0005), start(), config());
    List<Double> lambdas = r.trace().stream().map(Step::lambda).toList();
    assertEquals(List.of(0.0, -10.0, -21.0, -34.0, -48.0, -63.0), lambdas.subList(0, 6));
    assertEquals(StopReason.CHANGE_BUDGET, r.reason());
    assertEquals(lambdas.get(lambdas.size() - 1), r.lambdaStar());
  }

  @Test
  void referenceStopsBelowFivePercentAndWhenTheScoreRises() {
    LambdaSearch.Result low = LambdaSearch.reference(path(l -> LINK0 + 0.1 * l, 0), start(), config());
    assertEquals(StopReason.REACHED_TARGET, low.reason());
    assertTrue(low.star().score() < 0.05 || start().score() - low.star().score() > 0.8);
    LambdaSearch.Result rise = LambdaSearch.reference(path(l -> LINK0 + 0.001 * ((l + 15) * (l + 15) - 225), 0), start(),
        config());
    assertEquals(StopReason.SCORE_PLATEAU, rise.reason());
    assertEquals(-21.0, rise.lambdaStar(), "falls at -10, rises at -21");
  }
}
