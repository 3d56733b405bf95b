package dev.ctshift.model.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.model.djl.CombinedClassifier.Part;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CombinedClassifierTest {
  @TempDir Path dir;

  private static JsonObject json(String s) {
    return JsonParser.parseString(s).getAsJsonObject();
  }

  /** A randomly initialised classifier saved as a model directory with these outputs. */
  private Path model(String name, String head, int levels, List<String> outputs, int seed) throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(seed);
    Path d = dir.resolve(name);
    try (DjlNetwork net = DjlNetwork.create(Architecture.CLASSIFIER_3D, json("{\"base_channels\": 2, \"levels\": "
        + levels + ", \"head\": \"" + head + "\", \"outputs\": " + outputs.size() + "}"), Device.cpu(),
        DataType.FLOAT32)) {
      JsonObject f = json("{\"name\": \"" + name + "\", \"input\": {\"spacing_mm\": [6, 6, 6]},"
          + " \"activation\": \"sigmoid\", \"threshold\": 0.5}");
      f.add("outputs", JsonParser.parseString(new com.google.gson.Gson().toJson(outputs)));
      DjlModels.save(net, d, f);
    }
    return d;
  }

  private static float[] logits(Path model, NDArray x) throws Exception {
    try (VolumeModel m = DjlModels.loadVolumeModel(ModelManifest.read(model), Device.cpu())) {
      return m.forward(x, false).toFloatArray();
    }
  }

  @Test
  void everyOutputScoresAsInTheModelItCameFrom() throws Exception {
    for (String head : List.of("classmap", "avgmax")) {
      Path a = model("a-" + head, head, 2, List.of("effusion", "cardiomegaly", "nodule"), 3);
      Path b = model("b-" + head, head, 2, List.of("nodule-b", "other"), 4);
      Path out = dir.resolve("combined-" + head);
      // Outputs chosen out of order, so that taking the first rows of the output layer would fail.
      try (CombinedClassifier.Assembly c = CombinedClassifier.network(List.of(
          new Part(a, List.of("nodule", "effusion")), new Part(b, List.of())), Device.cpu())) {
        CombinedClassifier.save(c, out, "combined");
      }
      ModelManifest m = ModelManifest.read(out);
      assertEquals(List.of("nodule", "effusion", "nodule-b", "other"), m.outputs());
      assertEquals("2+2", m.architectureArgs().get("trunk").getAsString());
      assertEquals(ModelManifest.read(a).json().get("input"), m.json().get("input"));
      try (NDManager nd = NDManager.newBaseManager()) {
        Engine.getEngine("PyTorch").setRandomSeed(9);
        NDArray x = nd.randomUniform(0, 1, new Shape(1, 1, 4, 6, 6));
        float[] fromA = logits(a, x);
        float[] fromB = logits(b, x);
        float[] combined = logits(out, x);
        assertArrayEquals(new float[] {fromA[2], fromA[0], fromB[0], fromB[1]}, combined, 1e-6f, head);
        assertTrue(Math.abs(fromA[2] - fromA[0]) > 1e-4, "outputs that differ, so that a row mix-up shows");
      }
    }
  }

  @Test
  void partsThatCannotShareOneNetworkAreRefusedWithTheModelNamed() throws Exception {
    Path a = model("a", "classmap", 2, List.of("effusion", "nodule"), 3);
    Path deeper = model("deeper", "classmap", 3, List.of("nodule2"), 4);
    Path avg = model("avg", "avg", 2, List.of("nodule3"), 4);
    String e1 = refused(List.of(new Part(a, List.of("effusion")), new Part(deeper, List.of())));
    assertTrue(e1.contains(deeper.toString()) && e1.contains("levels"), e1);
    String e2 = refused(List.of(new Part(a, List.of()), new Part(avg, List.of())));
    assertTrue(e2.contains(avg.toString()) && e2.contains("head"), e2);
    String e3 = refused(List.of(new Part(a, List.of("pneumothorax"))));
    assertTrue(e3.contains(a.toString()) && e3.contains("pneumothorax") && e3.contains("[effusion, nodule]"), e3);
    String e4 = refused(List.of(new Part(a, List.of("nodule")), new Part(a, List.of("nodule"))));
    assertTrue(e4.contains("twice"), e4);
    Path grouped = dir.resolve("grouped");
    try (DjlNetwork net = DjlNetwork.create(Architecture.CLASSIFIER_3D,
        json("{\"base_channels\": 2, \"levels\": 2, \"head\": \"classmap\", \"outputs\": 2, \"trunk\": \"1+1\"}"),
        Device.cpu(), DataType.FLOAT32)) {
      DjlModels.save(net, grouped, json("{\"outputs\": [\"p\", \"q\"]}"));
    }
    String e5 = refused(List.of(new Part(grouped, List.of("p"))));
    assertTrue(e5.contains(grouped.toString()) && e5.contains("1+1"), e5);
  }

  private static String refused(List<Part> parts) {
    return assertThrows(ModelLoadException.class, () -> CombinedClassifier.network(parts, Device.cpu()))
        .getMessage();
  }
}
