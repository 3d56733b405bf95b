package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed demo models (models/phantom-*) give, on the committed samples, the scores that
 * scripts/make_demo_models recorded in each classifier's expected-scores.json. Activations, the soft
 * lung fraction and PSNR are recomputed here in double precision from the raw outputs.
 */
class DemoModelsTest {
  private static final Path MODELS = Path.of("models");

  @ParameterizedTest
  @ValueSource(strings = {"phantom-classifier", "phantom-shortcut-classifier"})
  void samplesScoreAsRecorded(String classifierDir) throws Exception {
    Path expected = MODELS.resolve(classifierDir).resolve("expected-scores.json");
    Assumptions.assumeTrue(Files.exists(expected), "demo models not built (scripts/make_demo_models)");
    JsonObject samples = JsonParser.parseString(Files.readString(expected)).getAsJsonObject()
        .getAsJsonObject("samples");
    assertTrue(samples.size() >= 3, samples.keySet().toString());
    try (SliceAutoencoder ae = Models.loadAutoencoder(MODELS.resolve("phantom-ae"), Device.cpu());
        VolumeModel classifier = Models.loadVolumeModel(MODELS.resolve(classifierDir), Device.cpu());
        VolumeModel segmenter = Models.loadVolumeModel(MODELS.resolve("phantom-segmenter"), Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      List<String> outputs = classifier.manifest().outputs();
      Preprocessing pre = classifier.manifest().input().preprocessing();
      for (Map.Entry<String, com.google.gson.JsonElement> e : samples.entrySet()) {
        JsonObject want = e.getValue().getAsJsonObject();
        Volume x = pre.prepare(NiftiReader.readVolume(Path.of("samples", e.getKey() + ".nii.gz"))).volume();
        Shape volume = new Shape(1, 1, x.nz(), x.ny(), x.nx());
        float[] recon = ae.decode(ae.encode(nd.create(x.data(), new Shape(x.nz(), 1, x.ny(), x.nx()))), false)
            .toFloatArray();
        float[] logits = classifier.forward(nd.create(x.data(), volume), false).toFloatArray();
        float[] reconLogits = classifier.forward(nd.create(recon, volume), false).toFloatArray();
        for (int f = 0; f < outputs.size(); f++) {
          String name = outputs.get(f);
          assertEquals(want.getAsJsonObject("classifier").get(name).getAsDouble(), sigmoid(logits[f]), 1e-4,
              e.getKey() + " " + name);
          assertEquals(want.getAsJsonObject("classifier_on_reconstruction").get(name).getAsDouble(),
              sigmoid(reconLogits[f]), 1e-4, e.getKey() + " " + name + " on the reconstruction");
        }
        double mse = 0;
        for (int v = 0; v < recon.length; v++) {
          mse += Math.pow((double) recon[v] - x.data()[v], 2) / recon.length;
        }
        assertEquals(want.get("autoencoder_psnr_db").getAsDouble(), 10 * Math.log10(1 / mse), 1e-3, e.getKey());

        float[] seg = segmenter.forward(nd.create(x.data(), volume), false).toFloatArray();
        int voxels = x.voxelCount();
        double lung = 0;
        for (int v = 0; v < voxels; v++) {
          double background = seg[v];
          double l = seg[voxels + v];
          lung += 1 / (1 + Math.exp(background - l)) / voxels; // softmax over two classes
        }
        assertEquals(want.get("segmenter_lung_fraction").getAsDouble(), lung, 1e-4, e.getKey());
      }
    }
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
