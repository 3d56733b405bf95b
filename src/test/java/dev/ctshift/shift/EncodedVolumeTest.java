package dev.ctshift.shift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Fixtures;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One encoding explained for several objectives: same results as separate runs, no arrays left behind. */
class EncodedVolumeTest {
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

  static float[] volume() {
    float[] x = new float[6 * 16 * 16];
    Random random = new Random(11);
    for (int n = 0; n < x.length; n++) {
      x[n] = 0.2f + 0.6f * random.nextFloat();
    }
    return x;
  }

  @ParameterizedTest
  @EnumSource(ShiftConfig.Composition.class)
  void eachObjectiveGetsTheExplanationOfASeparateRunAndLeavesNoArraysBehind(ShiftConfig.Composition composition)
      throws Exception {
    float[] x = volume();
    // Restarts exercise the path that takes a new gradient away from the shared latents.
    ShiftConfig config = ShiftConfig.builder().optStopScore(0.05).optChunkSlices(4).optFrames(3)
        .optChangeBudget(1).optRestarts(1).optMaxEvaluations(4).optComposition(composition).build();
    try (SliceAutoencoder ae = Models.loadAutoencoder(Fixtures.model("tiny-ae"), runtime.device());
        VolumeModel model = Models.loadVolumeModel(Fixtures.model("tiny-classifier"), runtime.device())) {
      List<Objective> objectives = List.of(Objective.of(model.manifest(), "finding_a"),
          Objective.of(model.manifest(), "finding_b"));
      try (EncodedVolume encoded = EncodedVolume.encode(ae, manager, x, 6, 16, 16, 4, s -> { })) {
        encoded.scoreOutputs(model, objectives);
        int arrays = managed(encoded.manager());
        for (Objective o : objectives) {
          Explanation shared = new LatentShiftExplainer(ae, model, o, config).explain(encoded, 0f, 1f, s -> { });
          assertEquals(arrays, managed(encoded.manager()), "an explanation of " + o.name() + " left arrays behind");
          Explanation separate = new LatentShiftExplainer(ae, model, o, config)
              .explain(manager, x, 6, 16, 16, 0f, 1f, s -> { });
          assertEquals(separate.search().lambdaStar(), shared.search().lambdaStar(), o.name());
          assertEquals(separate.search().reason(), shared.search().reason(), o.name());
          assertEquals(separate.frames().size(), shared.frames().size());
          for (int f = 0; f < shared.frames().size(); f++) {
            assertArrayEquals(separate.frames().get(f).values(), shared.frames().get(f).values(),
                o.name() + " frame " + f);
            assertEquals(separate.frames().get(f).score(), shared.frames().get(f).score(), o.name() + " frame " + f);
          }
          assertArrayEquals(separate.heatmap(), shared.heatmap());
          assertEquals(separate.scanScore(), shared.scanScore(), 1e-6);
          assertEquals(separate.scanScore(), encoded.scanScore(o).orElseThrow(), 1e-6, "the shared model pass");
          assertEquals(separate.reconstructionScore(), shared.reconstructionScore(), 1e-6, "the shared model pass");
        }
      }
    }
  }

  /** Arrays held by a manager and its sub-managers. */
  static int managed(NDManager m) {
    return ((BaseNDManager) m).getManagedArrays().size();
  }
}
