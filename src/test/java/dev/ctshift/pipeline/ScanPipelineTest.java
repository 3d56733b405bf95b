package dev.ctshift.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelOutputException;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.shift.StopReason;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one path of a scan: preprocess, engine and compose through the same loaded models. */
class ScanPipelineTest {
  static final double[][] RAS_1MM = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
  static TorchRuntime runtime;

  @BeforeAll
  static void start() throws Exception {
    runtime = TorchRuntime.start("cpu", System.err::println);
  }

  static ScanPipeline tiny(String target) throws ModelLoadException {
    return ScanPipeline.load(Fixtures.model("tiny-ae"), Fixtures.model("tiny-classifier"), target, runtime);
  }

  @Test
  void composedFramesRunFromTheCounterfactualBackToTheScanItself() throws Exception {
    // 20 x 14 in-plane: the models' 16 x 16 crops i and pads j; HU beyond the window are clipped in model
    // space, yet residual frames keep them, so the λ = 0 frame is the scan bit for bit.
    float[] hu = new float[20 * 14 * 6];
    Random random = new Random(5);
    for (int v = 0; v < hu.length; v++) {
      hu[v] = Math.round(-1500 + 3000 * random.nextFloat());
    }
    Volume scan = new Volume(20, 14, 6, hu, RAS_1MM);
    ShiftConfig config = ShiftConfig.builder().optStopScore(0.0).optChangeBudget(1).optMaxEvaluations(3).optFrames(3)
        .optChunkSlices(3).optComposition(ShiftConfig.Composition.RESIDUAL).build();
    try (ScanPipeline p = tiny("finding_a")) {
      Preprocessing.Prepared prepared = p.preprocess(scan);
      assertArrayEquals(new int[] {16, 16, 6}, prepared.volume().dims());
      Explanation e = p.explain(prepared.volume(), config, s -> { });
      assertNotEquals(StopReason.ALREADY_AT_TARGET, e.search().reason(), "a score never at 0: something to shift");
      ScanPipeline.OnScan onScan = p.compose(prepared, scan, e);
      List<Volume> frames = onScan.framesHu();
      assertEquals(3, frames.size());
      for (Volume f : frames) {
        assertTrue(f.sameGeometry(scan, 1e-9), "frames lie on the scan's grid");
      }
      assertArrayEquals(hu, frames.get(2).data(), "λ = 0 is the scan itself");
      assertArrayEquals(frames.get(0).data(), onScan.counterfactualHu().data(), "the counterfactual is the λ* frame");
      assertFalse(java.util.Arrays.equals(hu, frames.get(0).data()), "λ* changed the scan");
      Volume heatmap = onScan.heatmapHu();
      assertTrue(heatmap.sameGeometry(scan, 1e-9));
      assertTrue(heatmap.range()[0] >= 0, "the heatmap is a non-negative change in HU");

      // The writer's view: the same frames, each taking its model-space volume as it is read.
      double counterfactualScore = e.counterfactual().score();
      float[] modelSpaceScan = prepared.volume().data().clone();
      List<Volume> taken = onScan.takeFramesHu(onScan.counterfactualHu());
      for (int i = 0; i < frames.size(); i++) {
        float[] expected = frames.get(i).data();
        assertArrayEquals(expected, taken.get(i).data(), "frame " + i);
        assertNull(e.frames().get(i).values(), "frame " + i + " let go once read");
      }
      assertEquals(counterfactualScore, e.counterfactual().score(), "the frames keep their scores");
      assertArrayEquals(modelSpaceScan, prepared.volume().data(), "the λ = 0 frame is the model-space scan: kept");
      assertThrows(IllegalStateException.class, () -> taken.get(1), "a frame is read once");
    }
  }

  @Test
  void failuresSayWhatWentWrongAndWhere() throws Exception {
    Path scan = Path.of("scan.nii.gz");
    try (ScanPipeline p = tiny(null)) {
      CtShiftException shape = p.failure(scan, new ModelOutputException("returns [1] instead of [1, 2]"));
      assertInstanceOf(ModelLoadException.class, shape, "a wrong output shape is the model's fault");
      assertEquals(p.model().manifest().directory() + ": returns [1] instead of [1, 2]", shape.getMessage());
      String oom = p.failure(scan, new OutOfMemoryError("Java heap space")).getMessage();
      assertTrue(oom.startsWith("scan.nii.gz: out of memory (Java heap space)") && oom.contains("--chunk-slices"), oom);
      assertEquals("scan.nii.gz: the explanation failed: boom",
          p.failure(scan, new IllegalStateException("boom")).getMessage());
    }
  }

  @Test
  void anUnknownTargetIsRefusedNamingTheModel() {
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> tiny("no_such_output"));
    assertTrue(e.getMessage().startsWith(Fixtures.model("tiny-classifier").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("no_such_output"), e.getMessage());
  }
}
