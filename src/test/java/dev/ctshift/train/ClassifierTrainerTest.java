package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.model.djl.DjlModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainerTest {
  @TempDir Path tmp;

  private static JsonObject args(int outputs) {
    return JsonParser.parseString("{\"base_channels\": 4, \"levels\": 2, \"outputs\": " + outputs + "}")
        .getAsJsonObject();
  }

  @Test
  void learnsBlobsAndReloadsToIdenticalOutputs() throws Exception {
    LabelledVolumes data = Synthetic.blobs(16, 8, 3);
    TrainConfig config = TrainConfig.builder().epochs(10).batchSize(2).learningRate(1e-2).seed(2)
        .validationFraction(0.25).build();
    Synthetic.Recorder rec = new Synthetic.Recorder();
    try (ClassifierTrainer t = new ClassifierTrainer(config, args(2));
        NDManager m = NDManager.newBaseManager()) {
      List<ProgressListener.EpochReport> history = t.fit(data, rec);
      rec.losses.forEach(l -> assertTrue(Double.isFinite(l)));
      ProgressListener.EpochReport last = history.get(history.size() - 1);
      assertTrue(last.trainLoss() < 0.8 * history.get(0).trainLoss(), history.toString());
      assertEquals(List.of("auc_blob", "auc_dark", "auc_mean"), List.copyOf(last.metrics().keySet()));
      // The darkened half is an easy cue: the validation AUC must beat chance clearly.
      assertTrue(last.metrics().get("auc_dark") > 0.75, last.toString());

      Path out = tmp.resolve("model");
      t.save(out);
      ModelManifest manifest = ModelManifest.read(out);
      assertEquals(List.of("blob", "dark"), manifest.outputs());
      assertEquals(ModelManifest.Activation.SIGMOID, manifest.activation());
      NDArray x = m.create(data.volumes().volume(0), new Shape(1, 1, 8, 8, 8));
      float[] expected = t.network().block().forward(t.network().parameterStore(), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      try (VolumeModel model = DjlModels.loadVolumeModel(manifest, Device.cpu())) {
        assertArrayEquals(expected, model.forward(x, false).toFloatArray(), 0f);
      }
    }
  }

  @Test
  void rejectsLabelCountMismatch() {
    try (ClassifierTrainer t = new ClassifierTrainer(TrainConfig.builder().build(), args(3))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.fit(Synthetic.blobs(4, 8, 1), ProgressListener.NONE));
      assertTrue(e.getMessage().contains("3 outputs") && e.getMessage().contains("[blob, dark]"),
          e.getMessage());
    }
  }
}
