package dev.ctshift.shift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** The saliency baseline against PyTorch's float64 gradient and the box model's known answer. */
class GradientSaliencyTest {
  @Test
  void isTheAbsoluteLogitGradientOfTheReference() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", System.err::println);
    float[] x = Fixtures.tensor("x");
    float[] expected = Fixtures.tensor("dlogit_dx");
    for (int i = 0; i < expected.length; i++) {
      expected[i] = Math.abs(expected[i]);
    }
    try (VolumeModel model = Models.loadVolumeModel(Fixtures.model("tiny-classifier"), runtime.device());
        NDManager manager = runtime.newManager()) {
      // Target 0 with a sigmoid: the link is the raw logit, as in the reference.
      float[] s = GradientSaliency.of(model, Objective.of(model.manifest(), "finding_a"), manager, x, 6, 16, 16);
      assertTrue(Fixtures.relativeError(s, expected) < 1e-4, "relative error " + Fixtures.relativeError(s, expected));
      assertArrayEquals(Fixtures.tensor("x"), x, "input not modified");
    }
  }

  @Test
  void theBoxModelsSaliencyIsAnEighthOverTheBoxVoxelsAndZeroElsewhere() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", System.err::println);
    float[] x = new float[6 * 16 * 16];
    java.util.Arrays.fill(x, 0.4f);
    try (VolumeModel box = Models.loadVolumeModel(Fixtures.model("box-classifier"), runtime.device());
        NDManager manager = runtime.newManager()) {
      float[] s = GradientSaliency.of(box, Objective.of(box.manifest(), "box"), manager, x, 6, 16, 16);
      for (int k = 0; k < 6; k++) {
        for (int j = 0; j < 16; j++) {
          for (int i = 0; i < 16; i++) {
            boolean in = k >= 2 && k < 4 && j >= 5 && j < 9 && i >= 6 && i < 10;
            // logit = 8 * mean over 32 voxels - 2: d logit / d x = 8 / 32 inside.
            assertEquals(in ? 0.25f : 0f, s[i + 16 * (j + 16 * k)], 1e-6f, k + "," + j + "," + i);
          }
        }
      }
    }
  }
}
