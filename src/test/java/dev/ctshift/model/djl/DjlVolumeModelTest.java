package dev.ctshift.model.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DjlVolumeModel#forOutput}: one trunk of a classifier of several, computing that output as the whole does. */
class DjlVolumeModelTest {
  @TempDir Path dir;

  private Path model(String name, String head, String trunk, String activation) throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(5);
    Path d = dir.resolve(name);
    Classifier3d args = Classifier3d.DEFAULTS.withBaseChannels(2).withLevels(2).withHead(head)
        .withOutputsAndTrunk(3, trunk);
    try (DjlNetwork net = DjlNetwork.create(args, Device.cpu(), DataType.FLOAT32)) {
      ModelManifest.Input input = new ModelManifest.Input("RAS", new double[] {6, 6, 6}, null,
          new double[] {-1000, 1000}, new double[] {0, 1}, ModelManifest.Layout.NCDHW, 1, 1);
      DjlModels.save(net, d, ModelManifest.builder().setName(name).optInput(input)
          .optActivation(ModelManifest.Activation.valueOf(activation.toUpperCase(java.util.Locale.ROOT)))
          .optOutputs(List.of("a", "b", "c")));
    }
    return d;
  }

  @Test
  void eachOutputOfItsOwnTrunkScoresAndDifferentiatesAsInTheWholeModel() throws Exception {
    for (String head : List.of("classmap", "avgmax")) {
      try (VolumeModel whole = DjlModels.loadVolumeModel(ModelManifest.read(model("m-" + head, head, "1+2",
              "sigmoid")), Device.cpu());
          NDManager nd = NDManager.newBaseManager()) {
        Engine.getEngine("PyTorch").setRandomSeed(9);
        NDArray x = nd.randomUniform(0, 1, new Shape(1, 1, 4, 6, 6));
        float[] all = whole.forward(x, false).toFloatArray();
        int[] groupOf = {0, 1, 1};
        for (int k = 0; k < 3; k++) {
          VolumeModel view = whole.forOutput(k);
          float[] narrowed = view.forward(x, false).toFloatArray();
          assertEquals(3, narrowed.length, head + " output " + k);
          for (int j = 0; j < 3; j++) {
            if (groupOf[j] == groupOf[k]) {
              assertEquals(all[j], narrowed[j], 1e-6f, head + ": output " + j + " in the view of " + k);
            } else {
              assertTrue(Float.isNaN(narrowed[j]), head + ": output " + j + " of another trunk is not computed");
            }
          }
          assertArrayEquals(inputGradient(whole, x, k), inputGradient(view, x, k), 1e-6f, head + " gradient " + k);
          view.close();
        }
        assertEquals(all.length, whole.forward(x, false).toFloatArray().length, "the whole model still works");
      }
    }
  }

  @Test
  void oneTrunkOrSoftmaxOutputsKeepTheWholeModel() throws Exception {
    try (VolumeModel shared = DjlModels.loadVolumeModel(ModelManifest.read(model("s", "classmap", "shared",
            "sigmoid")), Device.cpu());
        VolumeModel softmax = DjlModels.loadVolumeModel(ModelManifest.read(model("x", "classmap", "1+2",
            "softmax")), Device.cpu())) {
      assertSame(shared, shared.forOutput(1));
      assertSame(softmax, softmax.forOutput(1), "softmax needs every logit");
    }
  }

  private static float[] inputGradient(VolumeModel model, NDArray x, int k) {
    NDArray leaf = x.duplicate();
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(model.forward(leaf, true).get(0, k));
    }
    return leaf.getGradient().toFloatArray();
  }
}
