package dev.ctshift.shift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which path an explanation takes: the default where the straight line turns back, the paper preset,
 * and scans that are already where the user asked them to be.
 *
 * <p>The fixtures are {@code identity-ae} (latents are the voxels, decoded exactly) and
 * {@code bowl-classifier}: logit = 40 (mean A - 0.5)^2 + 2 mean B - 2. Along the straight line from the
 * scan the score falls until mean A reaches 0.5 and then rises again, short of p = 0.2.
 */
class ShiftPathTest {
  static TorchRuntime runtime;
  static NDManager manager;

  @BeforeAll
  static void start() throws Exception {
    runtime = TorchRuntime.start("cpu", System.err::println);
    manager = runtime.newManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static boolean inA(int k, int j, int i) {
    return k >= 2 && k < 4 && j >= 5 && j < 9 && i >= 6 && i < 10;
  }

  static boolean inB(int k, int j, int i) {
    return k >= 2 && k < 4 && j >= 10 && j < 14 && i >= 6 && i < 10;
  }

  static float[] scan(long seed) {
    float[] x = new float[6 * 16 * 16];
    Random random = new Random(seed);
    for (int n = 0; n < x.length; n++) {
      x[n] = 0.6f + 0.3f * random.nextFloat();
    }
    return x;
  }

  /** Mean of a box of {@code v}, in float64. */
  static double mean(float[] v, boolean b) {
    double s = 0;
    for (int k = 0; k < 6; k++) {
      for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) {
          if (b ? inB(k, j, i) : inA(k, j, i)) {
            s += v[i + 16 * (j + 16 * k)];
          }
        }
      }
    }
    return s / 32;
  }

  static double bowlLogit(double meanA, double meanB) {
    return 40 * (meanA - 0.5) * (meanA - 0.5) + 2 * meanB - 2;
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  Explanation explain(String ae, String model, String target, ShiftConfig config, float[] x) throws Exception {
    try (SliceAutoencoder a = Models.loadAutoencoder(Fixtures.model(ae), runtime.device());
        VolumeModel m = Models.loadVolumeModel(Fixtures.model(model), runtime.device())) {
      return new LatentShiftExplainer(a, m, Objective.of(m.manifest(), target), config)
          .explain(manager, x, 6, 16, 16, 0f, 1f, s -> { });
    }
  }

  @Test
  void theDefaultReachesTheTargetWhereTheStraightLineTurnsBack() throws Exception {
    float[] x = scan(11);
    ShiftConfig.Builder settings = ShiftConfig.builder().optStopScore(0.2).optChunkSlices(4).optFrames(6);
    Explanation straight = explain("identity-ae", "bowl-classifier", "bowl",
        ExplanationMethod.STRAIGHT.apply(settings).build(), x);
    assertEquals(StopReason.SCORE_PLATEAU, straight.search().reason());
    assertTrue(straight.counterfactual().score() > 0.3, "one straight shift stalls: " + straight.counterfactual().score());
    // The straight line really turns back: some step beyond its best scores higher than the best.
    double best = straight.counterfactual().score();
    assertTrue(straight.search().trace().stream().anyMatch(s -> Math.abs(s.lambda())
        > Math.abs(straight.search().lambdaStar()) && s.score() > best + 1e-3), "the score rises again");

    ShiftConfig defaults = ShiftConfig.builder().optStopScore(0.2).optChunkSlices(4).optFrames(6).build();
    assertEquals(ExplanationMethod.DEFAULT, ExplanationMethod.of(defaults).orElseThrow());
    Explanation e = explain("identity-ae", "bowl-classifier", "bowl", defaults, x);
    assertEquals(StopReason.REACHED_TARGET, e.search().reason());
    assertTrue(e.counterfactual().score() <= 0.2, "score " + e.counterfactual().score());
    assertTrue(e.legs().size() >= 2, "it took a new gradient: " + e.legs());
    assertEquals(StopReason.SCORE_PLATEAU, e.legs().get(0).reason(), "the first leg stalled");
    assertEquals("restarted", e.path());
    assertEquals(StopReason.REACHED_TARGET, e.legs().get(e.legs().size() - 1).reason());
    assertTrue(e.search().evaluations() <= ShiftConfig.DEFAULT_SEARCH_BUDGET);
    assertEquals(e.search().evaluations(), e.legs().stream().mapToInt(Explanation.Leg::evaluations).sum());

    // The residual property: every voxel outside A and B keeps its value exactly, and the score the
    // engine reports is the bowl's logit of the counterfactual, computed here in float64.
    float[] cf = e.counterfactual().values();
    for (int k = 0; k < 6; k++) {
      for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) {
          int n = i + 16 * (j + 16 * k);
          if (!inA(k, j, i) && !inB(k, j, i)) {
            assertEquals(x[n], cf[n], 0f, "voxel outside A and B changed at " + k + "," + j + "," + i);
          }
        }
      }
    }
    assertEquals(sigmoid(bowlLogit(mean(cf, false), mean(cf, true))), e.counterfactual().score(), 1e-4);
    assertArrayEquals(x, e.original().values(), "lambda 0 is the scan");
  }

  @Test
  void whenTheLineSpendsTheChangeBudgetTheDefaultSearchesAgainAlongACurvedPath() throws Exception {
    // With a 2% change budget the straight line spends it past the bottom of the bowl (change-budget),
    // which no restart can undo; the search from the scan that takes a new gradient every two
    // evaluations turns toward B before it has spent the budget and reaches p = 0.2.
    float[] x = scan(11);
    ShiftConfig.Builder settings = ShiftConfig.builder().optStopScore(0.2).optChangeBudget(0.02).optChunkSlices(4)
        .optFrames(6);
    Explanation straight = explain("identity-ae", "bowl-classifier", "bowl",
        ExplanationMethod.STRAIGHT.apply(settings).build(), x);
    assertEquals(StopReason.CHANGE_BUDGET, straight.search().reason());
    assertTrue(straight.counterfactual().score() > 0.3, "score " + straight.counterfactual().score());

    Explanation e = explain("identity-ae", "bowl-classifier", "bowl",
        ExplanationMethod.DEFAULT.apply(settings).build(), x);
    assertEquals(StopReason.REACHED_TARGET, e.search().reason());
    assertEquals("curved-retry", e.path());
    assertTrue(e.counterfactual().score() <= 0.2, "score " + e.counterfactual().score());
    assertEquals(StopReason.CHANGE_BUDGET, e.legs().get(0).reason());
    assertEquals(1, e.legs().get(0).attempt());
    assertEquals(2, e.legs().get(e.legs().size() - 1).attempt());
    assertEquals(e.legs().size() - 1, e.gradients(), "the search from the scan reuses the scan's gradient");
    assertTrue(e.search().evaluations() <= ShiftConfig.DEFAULT_SEARCH_BUDGET);
    // Within the budget, with the residual property, and the score is the bowl's own in float64.
    double change = 0;
    float[] cf = e.counterfactual().values();
    for (int k = 0; k < 6; k++) {
      for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) {
          int n = i + 16 * (j + 16 * k);
          change += Math.abs(cf[n] - x[n]);
          if (!inA(k, j, i) && !inB(k, j, i)) {
            assertEquals(x[n], cf[n], 0f, "voxel outside A and B changed at " + k + "," + j + "," + i);
          }
        }
      }
    }
    assertTrue(change / x.length / meanAbs(x) <= 0.02, "relative change " + change / x.length / meanAbs(x));
    assertEquals(sigmoid(bowlLogit(mean(cf, false), mean(cf, true))), e.counterfactual().score(), 1e-4);
    // The sweep follows the kept path back to the scan.
    assertArrayEquals(x, e.original().values());
    for (int f = 0; f + 1 < e.frames().size(); f++) {
      assertTrue(e.frames().get(f).score() <= e.frames().get(f + 1).score() + 1e-6, "frame " + f);
    }
  }

  @Test
  void thePaperPresetRunsTheOriginalSchedule() throws Exception {
    // The original code: frames Dec(z + λ ∇z p) (reconstruction composition, gradient of the
    // probability at the reconstruction), λ = 0, -10, -21, -34, … (λ ← λ - 10 + floor(λ / 10)),
    // stopping at the first λ whose score is higher than the previous one's, below 0.05, after a drop
    // of 0.8 or beyond the change budget, and keeping that last λ. With the identity autoencoder the
    // reconstruction is the scan and the latents are its voxels, so every frame follows in float64
    // from the bowl's formula: dp/dx = p (1 - p) dlogit/dx, uniform over A and over B.
    float[] x = scan(11);
    double a0 = mean(x, false);
    double b0 = mean(x, true);
    double p0 = sigmoid(bowlLogit(a0, b0));
    double dA = p0 * (1 - p0) * 80 * (a0 - 0.5) / 32; // per voxel of A, per unit of λ
    double dB = p0 * (1 - p0) * 2 / 32;
    List<double[]> expected = new ArrayList<>(); // {λ, p}
    double lambda = 0;
    double last = p0;
    ShiftConfig paper = ExplanationMethod.PAPER.apply(ShiftConfig.builder().optChunkSlices(4).optFrames(6)).build();
    while (true) {
      lambda = lambda - 10 + Math.floor(lambda / 10);
      double a = a0 + lambda * dA;
      double b = b0 + lambda * dB;
      // mean |Δ| over the volume, relative to mean |x| (the change budget's measure)
      double change = 32 * (Math.abs(lambda * dA) + Math.abs(lambda * dB)) / x.length / meanAbs(x);
      double p = sigmoid(bowlLogit(a, b));
      expected.add(new double[] {lambda, p});
      if (p > last || p < 0.05 || p0 - p > 0.8 || change > paper.changeBudget()) {
        break;
      }
      last = p;
    }

    Explanation e = explain("identity-ae", "bowl-classifier", "bowl", paper, x);
    List<Step> trace = e.search().trace();
    assertEquals(expected.size(), trace.size() - 1, "steps " + trace);
    for (int s = 0; s < expected.size(); s++) {
      assertEquals(expected.get(s)[0], trace.get(s + 1).lambda(), 0.0, "schedule");
      assertEquals(expected.get(s)[1], trace.get(s + 1).score(), 1e-4, "score at lambda " + expected.get(s)[0]);
    }
    // On this model the straight line turns back before the target, and the original code ends on the
    // first frame that scores higher than the one before it.
    assertEquals(StopReason.SCORE_PLATEAU, e.search().reason());
    assertEquals(expected.get(expected.size() - 1)[0], e.search().lambdaStar(), 0.0);
    assertTrue(e.counterfactual().score() > 0.2, "the paper method does not reach 0.2 here");
    assertEquals(1, e.legs().size(), "one straight shift");
    assertEquals(ExplanationMethod.PAPER, ExplanationMethod.of(paper).orElseThrow());
  }

  static double meanAbs(float[] v) {
    double s = 0;
    for (float f : v) {
      s += Math.abs(f);
    }
    return s / v.length;
  }

  @Test
  void aScanAlreadyAtTheTargetIsNotShifted() throws Exception {
    // box-classifier: logit = 8 mean(box) - 2. A bright box gives p ~ 0.98, already above the default
    // target for raising (0.9 for a threshold of 0.5).
    float[] x = scan(3);
    double expected = sigmoid(8 * mean(x, false) - 2);
    ShiftConfig raise = ShiftConfig.builder().optDirection(ShiftConfig.Direction.RAISE).optChunkSlices(2)
        .optFrames(5).build();
    Explanation e = explain("identity-ae", "box-classifier", "box", raise, x);
    assertEquals(StopReason.ALREADY_AT_TARGET, e.search().reason());
    assertEquals(0.0, e.search().lambdaStar());
    assertEquals(0, e.evaluations(), "no volume was evaluated beyond the scan");
    assertTrue(e.legs().isEmpty());
    assertEquals(expected, e.scanScore(), 1e-5);
    assertEquals(expected, e.counterfactual().score(), 1e-5);
    assertArrayEquals(x, e.counterfactual().values(), "the counterfactual is the scan itself");
    for (float h : e.heatmap()) {
      assertEquals(0f, h);
    }
    // Asked the other way, the same scan is explained.
    Explanation lower = explain("identity-ae", "box-classifier", "box",
        raise.toBuilder().optDirection(ShiftConfig.Direction.LOWER).optStopScore(0.3).build(), x);
    assertEquals(StopReason.REACHED_TARGET, lower.search().reason());
  }

  @Test
  void alreadyAtTargetFollowsTheStopCondition() throws Exception {
    Objective classifier = Objective.of(ModelManifest.read(Fixtures.model("box-classifier")), "box");
    Objective segmenter = Objective.of(ModelManifest.read(Fixtures.model("tiny-segmenter")), null);
    ShiftConfig lower = ShiftConfig.builder().build();
    ShiftConfig raise = ShiftConfig.builder().optDirection(ShiftConfig.Direction.RAISE).build();
    // A classifier's probability: a fifth of the way from the threshold (0.5) to the far end.
    assertTrue(at(classifier, lower, 0.037), "phantom-normal's effusion probability");
    assertTrue(at(classifier, lower, 0.1));
    assertFalse(at(classifier, lower, 0.12));
    assertFalse(at(classifier, lower, 0.961));
    assertTrue(at(classifier, raise, 0.95));
    assertFalse(at(classifier, raise, 0.037));
    // An explicit stop score, either way.
    assertTrue(at(classifier, lower.toBuilder().optStopScore(0.3).build(), 0.25));
    assertFalse(at(classifier, lower.toBuilder().optStopScore(0.3).build(), 0.35));
    assertTrue(at(classifier, raise.toBuilder().optStopScore(0.3).build(), 0.35));
    // A relative target (halve the soft fraction) of a fraction at or near 0 asks for no real move.
    assertTrue(at(segmenter, lower, 0.0));
    assertTrue(at(segmenter, lower, 5e-5));
    assertFalse(at(segmenter, lower, 0.01));
    assertFalse(at(segmenter, raise, 0.3));
    assertTrue(at(segmenter, raise, 1 - 1e-5));
  }

  static boolean at(Objective objective, ShiftConfig config, double score) {
    return new LatentShiftExplainer(null, null, objective, config).alreadyAtTarget(score);
  }
}
