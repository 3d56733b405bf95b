package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.model.djl.DjlModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmenterTrainerTest {
  @TempDir Path tmp;

  @Test
  void learnsSpheresAndReloadsToIdenticalOutputs() throws Exception {
    SegmentedVolumes data = Synthetic.spheres(8, 8, 4);
    TrainConfig config = TrainConfig.builder().epochs(6).batchSize(1).learningRate(1e-2).seed(1)
        .validationFraction(0.25).build();
    try (SegmenterTrainer t = new SegmenterTrainer(config,
            Segmenter3d.DEFAULTS.withBaseChannels(4));
        NDManager m = NDManager.newBaseManager()) {
      List<ProgressListener.EpochReport> history = t.fit(data, ProgressListener.NONE);
      ProgressListener.EpochReport first = history.get(0);
      ProgressListener.EpochReport last = history.get(history.size() - 1);
      assertTrue(last.trainLoss() < 0.8 * first.trainLoss(), history.toString());
      assertEquals(List.of("dice_sphere", "dice_mean"), List.copyOf(last.metrics().keySet()));
      // Intensity separates the sphere: a trained model must segment it well.
      assertTrue(last.metrics().get("dice_sphere") > 0.7, history.toString());

      Path out = tmp.resolve("model");
      t.save(out);
      ModelManifest manifest = ModelManifest.read(out);
      assertEquals("sphere", manifest.scoreClass());
      assertEquals(ModelManifest.Activation.SOFTMAX, manifest.activation());
      NDArray x = m.create(data.volumes().volume(1), new Shape(1, 1, 8, 8, 8));
      float[] expected = t.network().block().forward(t.network().parameterStore(), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      try (VolumeModel model = DjlModels.loadVolumeModel(manifest, Device.cpu())) {
        NDArray y = model.forward(x, false);
        assertEquals(new Shape(1, 2, 8, 8, 8), y.getShape());
        assertArrayEquals(expected, y.toFloatArray(), 0f);
      }
    }
  }
}
