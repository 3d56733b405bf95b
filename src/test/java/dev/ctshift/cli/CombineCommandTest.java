package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.model.djl.DjlModels;
import dev.ctshift.model.djl.DjlNetwork;
import dev.ctshift.testing.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CombineCommandTest {
  @TempDir Path dir;

  private Path model(String name, String outputs, int seed) throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(seed);
    Path d = dir.resolve(name);
    int count = outputs.split(",").length;
    Classifier3d args = Classifier3d.DEFAULTS.withBaseChannels(2).withLevels(2).withHead("classmap")
        .withOutputs(count);
    try (DjlNetwork net = DjlNetwork.create(args, Device.cpu(), DataType.FLOAT32)) {
      DjlModels.save(net, d, ModelManifest.builder().setName(name).optOutputs(List.of(outputs.split(",")))
          .optActivation(ModelManifest.Activation.SIGMOID).optThreshold(0.5));
    }
    return d;
  }

  private static float[] logits(Path model, ai.djl.ndarray.NDArray x) throws Exception {
    try (VolumeModel m = DjlModels.loadVolumeModel(ModelManifest.read(model), Device.cpu())) {
      return m.forward(x, false).toFloatArray();
    }
  }

  @Test
  void combinedModelScoresAsItsPartsAndRecordsThem() throws Exception {
    Path a = model("a", "effusion,cardiomegaly,nodule", 3);
    Path b = model("b", "nodule", 4);
    Path out = dir.resolve("both");
    Run r = run("train", "combine", "--part", a + ":effusion,cardiomegaly", "--part", b.toString(),
        "--out", out.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("effusion, cardiomegaly, nodule (trunk 2+1)"), r.out());
    ModelManifest m = ModelManifest.read(out);
    assertEquals("both", m.name());
    try (NDManager nd = NDManager.newBaseManager()) {
      Engine.getEngine("PyTorch").setRandomSeed(5);
      var x = nd.randomUniform(0, 1, new Shape(1, 1, 4, 6, 6));
      float[] fromA = logits(a, x);
      float[] fromB = logits(b, x);
      assertArrayEquals(new float[] {fromA[0], fromA[1], fromB[0]}, logits(out, x), 1e-6f);
      assertTrue(Math.abs(fromA[2] - fromB[0]) > 1e-4, "the nodule outputs differ, so a wrong source shows");
    }
    JsonObject record = JsonParser.parseString(Files.readString(out.resolve("training.json"))).getAsJsonObject();
    assertEquals(a.toString(), record.getAsJsonArray("parts").get(0).getAsJsonObject().get("model").getAsString());
    assertEquals(List.of("model.json", "classifier3d.params", "training.json").stream().sorted().toList(),
        Files.list(out).map(p -> p.getFileName().toString()).sorted().toList());
  }

  @Test
  void existingOutputsAndBadPartsAreRefusedWithoutWriting() throws Exception {
    Path a = model("a", "effusion,nodule", 3);
    Path out = dir.resolve("taken");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "mine");
    Run taken = run("train", "combine", "--part", a.toString(), "--out", out.toString());
    assertEquals(Main.EXIT_FAILURE, taken.code());
    assertTrue(taken.err().contains(out + ": already exists"), taken.err());
    assertEquals(List.of(out.resolve("notes.txt")), Files.list(out).toList());

    Path fresh = dir.resolve("fresh");
    Run unknown = run("train", "combine", "--part", a + ":pneumothorax", "--out", fresh.toString());
    assertEquals(Main.EXIT_MODEL, unknown.code());
    assertTrue(unknown.err().contains("no output 'pneumothorax'"), unknown.err());
    assertTrue(!Files.exists(fresh), "nothing written");
    Run malformed = run("train", "combine", "--part", a + ":effusion,", "--out", fresh.toString());
    assertEquals(2, malformed.code());
    assertTrue(malformed.err().contains("--part must be MODELDIR"), malformed.err());
  }
}
