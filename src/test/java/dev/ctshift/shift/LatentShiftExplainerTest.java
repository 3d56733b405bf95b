package dev.ctshift.shift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Fixtures;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** End-to-end engine runs on fixtures where the right answer is known. */
class LatentShiftExplainerTest {
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

  static boolean inBox(int k, int j, int i) {
    return k >= 2 && k < 4 && j >= 5 && j < 9 && i >= 6 && i < 10;
  }

  @Test
  void counterfactualOfTheBoxModelLowersTheScoreAndChangesOnlyTheBox() throws Exception {
    // identity-ae decodes its latents exactly; box-classifier scores the mean of a fixed box.
    float[] x = new float[6 * 16 * 16];
    Random random = new Random(7);
    for (int n = 0; n < x.length; n++) {
      x[n] = 0.6f + 0.3f * random.nextFloat();
    }
    try (SliceAutoencoder ae = Models.loadAutoencoder(Fixtures.model("identity-ae"), runtime.device());
        VolumeModel box = Models.loadVolumeModel(Fixtures.model("box-classifier"), runtime.device())) {
      ShiftConfig config = ShiftConfig.builder().optStopScore(0.2).optChunkSlices(2).optFrames(5)
          .optChangeBudget(1).build();
      Explanation e = new LatentShiftExplainer(ae, box, Objective.of(box.manifest(), "box"), config)
          .explain(manager, x, 6, 16, 16, 0f, 1f, s -> { });
      assertEquals(StopReason.REACHED_TARGET, e.search().reason());
      assertTrue(e.scanScore() > 0.9, "box mean ~0.75 gives p ~0.98: " + e.scanScore());
      assertTrue(e.counterfactual().score() <= 0.2 && e.counterfactual().score() > 0.1,
          "stops near the requested 0.2: " + e.counterfactual().score());
      assertEquals(0.0, e.reconstructionGap(), 1e-6, "the identity AE reconstructs exactly");
      float[] cf = e.counterfactual().values();
      int changedInside = 0;
      for (int k = 0; k < 6; k++) {
        for (int j = 0; j < 16; j++) {
          for (int i = 0; i < 16; i++) {
            int n = i + 16 * (j + 16 * k);
            if (inBox(k, j, i)) {
              assertTrue(cf[n] < x[n], "box voxels get darker");
              changedInside++;
            } else {
              assertEquals(x[n], cf[n], 1e-6, "voxel outside the box changed at " + k + "," + j + "," + i);
            }
          }
        }
      }
      assertEquals(2 * 4 * 4, changedInside);
      // The sweep ends at the scan itself and its scores rise monotonically toward it.
      assertEquals(e.scanScore(), e.original().score(), 1e-9);
      for (int f = 0; f + 1 < e.frames().size(); f++) {
        assertTrue(e.frames().get(f).score() <= e.frames().get(f + 1).score());
      }
    }
  }

  @Test
  void restartTakesANewGradientWhereTheStraightShiftStopsHelping() throws Exception {
    // bowl-classifier: logit = 40 (mean A - 0.5)^2 + 2 mean B - 2. Its gradient at the scan is almost all
    // on A, and along it the logit bottoms out near mean A = 0.5, far above p = 0.2 (about 0.37). The
    // gradient there points at B; a restart that reused the first gradient would push A further down
    // and raise the score instead.
    float[] x = new float[6 * 16 * 16];
    Random random = new Random(11);
    for (int n = 0; n < x.length; n++) {
      x[n] = 0.6f + 0.3f * random.nextFloat();
    }
    try (SliceAutoencoder ae = Models.loadAutoencoder(Fixtures.model("identity-ae"), runtime.device());
        VolumeModel bowl = Models.loadVolumeModel(Fixtures.model("bowl-classifier"), runtime.device())) {
      ShiftConfig.Builder settings = ShiftConfig.builder().optStopScore(0.2).optChunkSlices(4).optFrames(6)
          .optChangeBudget(1);
      Explanation straight = new LatentShiftExplainer(ae, bowl, Objective.of(bowl.manifest(), "bowl"),
          settings.optRestarts(0).build()).explain(manager, x, 6, 16, 16, 0f, 1f, s -> { });
      assertEquals(StopReason.SCORE_PLATEAU, straight.search().reason());
      assertTrue(straight.counterfactual().score() > 0.3, "one gradient cannot reach 0.2: "
          + straight.counterfactual().score());
      assertEquals(java.util.List.of(0.0), straight.gradientsAt());

      Explanation restarted = new LatentShiftExplainer(ae, bowl, Objective.of(bowl.manifest(), "bowl"),
          settings.optRestarts(2).build()).explain(manager, x, 6, 16, 16, 0f, 1f, s -> { });
      assertEquals(StopReason.REACHED_TARGET, restarted.search().reason());
      assertTrue(restarted.counterfactual().score() <= 0.2, "score " + restarted.counterfactual().score());
      assertEquals(2, restarted.gradientsAt().size(), "one restart: " + restarted.gradientsAt());
      // The first segment is the straight shift itself: the restart starts at its λ*.
      assertEquals(straight.search().lambdaStar(), restarted.gradientsAt().get(1), 0.0);
      assertTrue(restarted.search().lambdaStar() < restarted.gradientsAt().get(1), "the path goes on past the restart");

      float[] cf = restarted.counterfactual().values();
      double meanA = 0;
      double meanB = 0;
      double scanB = 0;
      for (int k = 0; k < 6; k++) {
        for (int j = 0; j < 16; j++) {
          for (int i = 0; i < 16; i++) {
            int n = i + 16 * (j + 16 * k);
            boolean inA = k >= 2 && k < 4 && j >= 5 && j < 9 && i >= 6 && i < 10;
            boolean inB = k >= 2 && k < 4 && j >= 10 && j < 14 && i >= 6 && i < 10;
            if (inA) {
              meanA += cf[n] / 32;
            } else if (inB) {
              meanB += cf[n] / 32;
              scanB += x[n] / 32;
            } else {
              assertEquals(x[n], cf[n], 1e-6, "voxel outside A and B changed at " + k + "," + j + "," + i);
            }
          }
        }
      }
      assertEquals(0.5, meanA, 0.06, "A stays at the bottom of the bowl");
      assertTrue(scanB - meanB > 0.3, "the second gradient lowered B: " + scanB + " -> " + meanB);
      // Logit from the definition, in float64, against the score the engine reports.
      double logit = 40 * (meanA - 0.5) * (meanA - 0.5) + 2 * meanB - 2;
      assertEquals(1 / (1 + Math.exp(-logit)), restarted.counterfactual().score(), 1e-4);
      // The sweep follows the path back to the scan: scores rise frame by frame.
      for (int f = 0; f + 1 < restarted.frames().size(); f++) {
        assertTrue(restarted.frames().get(f).score() <= restarted.frames().get(f + 1).score() + 1e-6,
            "frame " + f + " " + restarted.frames().get(f).score() + " > " + restarted.frames().get(f + 1).score());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> ShiftConfig.builder().optRestarts(-1).build());
  }

  @Test
  void focusShiftsOnlyTheLargestGradientElements() throws Exception {
    // With the identity AE the latents are the voxels, so a residual counterfactual changes exactly the
    // voxels whose latent-gradient element the focus keeps: the largest |d link / d x|, which plain
    // saliency computes independently.
    float[] x = Fixtures.tensor("x");
    try (SliceAutoencoder ae = Models.loadAutoencoder(Fixtures.model("identity-ae"), runtime.device());
        VolumeModel model = Models.loadVolumeModel(Fixtures.model("tiny-classifier"), runtime.device())) {
      Objective objective = Objective.of(model.manifest(), "0");
      ShiftConfig config = ShiftConfig.builder().optFocus(0.05).optChunkSlices(4).optFrames(3)
          .optChangeBudget(1).build();
      Explanation e = new LatentShiftExplainer(ae, model, objective, config)
          .explain(manager, x, 6, 16, 16, -10f, 10f, s -> { });
      float[] saliency = GradientSaliency.of(model, objective, manager, x, 6, 16, 16);
      float[] sorted = saliency.clone();
      java.util.Arrays.sort(sorted);
      int keep = (int) Math.ceil(0.05 * x.length);
      float threshold = sorted[x.length - keep];
      float[] cf = e.counterfactual().values();
      int changed = 0;
      for (int n = 0; n < x.length; n++) {
        if (cf[n] != x[n]) {
          changed++;
          assertTrue(saliency[n] >= threshold, "changed voxel " + n + " is not among the largest gradients");
        }
      }
      assertTrue(changed > keep / 2 && changed <= keep, "changed " + changed + " of " + keep + " kept elements");
      assertTrue(e.counterfactual().score() < e.scanScore(), "the focused shift still lowers the score");
    }
    assertThrows(IllegalArgumentException.class, () -> ShiftConfig.builder().optFocus(0).build());
    assertThrows(IllegalArgumentException.class, () -> ShiftConfig.builder().optFocus(1.5).build());
  }

  @Test
  void latentGradientAgreesWithFiniteDifferences() throws Exception {
    float[] x = Fixtures.tensor("x");
    try (SliceAutoencoder ae = Models.loadAutoencoder(Fixtures.model("tiny-ae"), runtime.device());
        VolumeModel model = Models.loadVolumeModel(Fixtures.model("tiny-classifier"), runtime.device());
        SliceLatentSpace s = new SliceLatentSpace(ae, model, Objective.of(model.manifest(), "0"), manager, 6, 16,
            16)) {
      NDArray z = s.encode(s.upload(x), 6);
      NDArray g = s.latentGradient(z, s.volumeGradient(s.decode(z, 6)).gradient(), 3);
      // Directions: the gradient itself, then mixtures with random unit directions. Float32 and ReLU
      // kinks limit the agreement to about a percent.
      float[] gv = g.toFloatArray();
      double gNorm = norm(gv);
      Random random = new Random(3);
      for (int trial = 0; trial < 3; trial++) {
        float[] v = new float[gv.length];
        double[] r = new double[gv.length];
        for (int n = 0; n < v.length; n++) {
          r[n] = random.nextGaussian();
        }
        double rNorm = norm(r);
        double mix = trial == 0 ? 0 : 0.5;
        for (int n = 0; n < v.length; n++) {
          v[n] = (float) ((1 - mix) * gv[n] / gNorm + mix * r[n] / rNorm);
        }
        NDArray direction = manager.create(v, z.getShape());
        double analytic = g.mul(direction).sum().getFloat();
        double eps = 2e-2;
        double plus = s.link(s.decode(z.add(direction.mul(eps)), 6));
        double minus = s.link(s.decode(z.sub(direction.mul(eps)), 6));
        double numeric = (plus - minus) / (2 * eps);
        assertEquals(analytic, numeric, 2e-2 * Math.abs(analytic),
            "directional derivative along direction " + trial);
      }
    }
  }

  static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += (double) f * f;
    }
    return Math.sqrt(s);
  }

  static double norm(double[] v) {
    double s = 0;
    for (double f : v) {
      s += f * f;
    }
    return Math.sqrt(s);
  }
}
