package dev.ctshift.model.djl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Weight gradients of the classifier at the bundled model's training shape (batch 4 of 24x64x64,
 * training mode), float32 against a float64 twin with the same weights: what the trainer's optimiser
 * sees must be right, not only the input gradients the explainer uses (DjlGradientTest).
 */
class WeightGradientTest {
  @Test
  void classifierWeightGradientsMatchFloat64() {
    Engine.getEngine("PyTorch").setRandomSeed(13);
    Classifier3d args = Classifier3d.DEFAULTS.withBaseChannels(8).withLevels(4).withOutputs(3).withHead("classmap");
    try (DjlNetwork net = DjlNetwork.create(args, Device.cpu(), DataType.FLOAT32);
        DjlNetwork twin = DjlNetwork.create(net.architectureArgs(), Device.cpu(), DataType.FLOAT64);
        NDManager m = NDManager.newBaseManager()) {
      twin.copyParametersFrom(net);
      Shape shape = new Shape(4, 1, 24, 64, 64);
      Random r = new Random(5);
      float[] v = new float[(int) shape.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextFloat();
      }
      NDArray x = m.create(v, shape);
      List<double[]> g32 = grads(net, x);
      List<double[]> g64 = grads(twin, x.toType(DataType.FLOAT64, true));
      List<Parameter> ps = net.block().getParameters().values();
      for (int p = 0; p < g32.size(); p++) {
        double diff = 0, norm = 0;
        for (int i = 0; i < g32.get(p).length; i++) {
          double d = g32.get(p)[i] - g64.get(p)[i];
          diff += d * d;
          norm += g64.get(p)[i] * g64.get(p)[i];
        }
        double rel = Math.sqrt(diff / norm);
        assertTrue(norm > 0, ps.get(p).getName() + " " + p + ": zero reference gradient");
        assertTrue(rel < 1e-4, ps.get(p).getName() + " " + p + ": relative L2 error " + rel);
      }
    }
  }

  private static List<double[]> grads(DjlNetwork net, NDArray x) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray out = net.block().forward(net.parameterStore(), new NDList(x), true).singletonOrThrow();
      gc.backward(out.mul(out.getManager().create(new float[] {1f, -0.7f, 0.4f}).toType(out.getDataType(), false)
          .reshape(1, 3)).sum());
    }
    return net.block().getParameters().values().stream()
        .map(p -> p.getArray().getGradient().toType(DataType.FLOAT64, false).toDoubleArray()).toList();
  }
}
