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
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifest.Input;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.model.djl.CombinedClassifier.Part;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CombinedClassifierTest {
  @TempDir Path dir;

  /** A randomly initialised classifier saved as a model directory with these outputs. */
  private Path model(String name, String head, int levels, List<String> outputs, int seed) throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(seed);
    Path d = dir.resolve(name);
    Classifier3d args = Classifier3d.DEFAULTS.withBaseChannels(2).withLevels(levels).withHead(head)
        .withOutputs(outputs.size());
    try (DjlNetwork net = DjlNetwork.create(args, Device.cpu(), DataType.FLOAT32)) {
      Input input = new Input("RAS", new double[] {6, 6, 6}, null, new double[] {-1000, 1000}, new double[] {0, 1},
          ModelManifest.Layout.NCDHW, 1, 1);
      DjlModels.save(net, d, ModelManifest.builder().setName(name).optInput(input)
          .optActivation(ModelManifest.Activation.SIGMOID).optThreshold(0.5).optOutputs(outputs));
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
      assertEquals("2+2", m.architectureArgs(Classifier3d.class).trunk());
      assertEquals(ModelManifest.read(a).input(), m.input());
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
    try (DjlNetwork net = DjlNetwork.create(Classifier3d.DEFAULTS.withBaseChannels(2).withLevels(2)
        .withHead("classmap").withOutputsAndTrunk(2, "1+1"), Device.cpu(), DataType.FLOAT32)) {
      DjlModels.save(net, grouped, ModelManifest.builder().setName("grouped").optOutputs(List.of("p", "q")));
    }
    String e5 = refused(List.of(new Part(grouped, List.of("p"))));
    assertTrue(e5.contains(grouped.toString()) && e5.contains("1+1"), e5);
  }

  private static String refused(List<Part> parts) {
    return assertThrows(ModelLoadException.class, () -> CombinedClassifier.network(parts, Device.cpu()))
        .getMessage();
  }
}
