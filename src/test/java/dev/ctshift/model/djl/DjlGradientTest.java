package dev.ctshift.model.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input gradients of the float32 views, as the explainer takes them (inside a GradientCollector, on
 * a leaf with requiresGradient), against a float64 twin with the same weights. The oneDNN defect
 * (NOTES-DJL) gives relative errors of 0.26 and more, or NaN.
 */
class DjlGradientTest {
  @TempDir Path dir;

  private static final SliceAe AE_ARGS = SliceAe.DEFAULTS.withBaseChannels(4).withLatentChannels(4).withLevels(2);

  @Test
  void decoderInputGradientMatchesFloat64() throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(11);
    try (DjlNetwork net = create(AE_ARGS);
        DjlNetwork twin = twinOf(net)) {
      DjlModels.save(net, dir, ModelManifest.builder().setName("m"));
      try (SliceAutoencoder ae = DjlModels.loadAutoencoder(ModelManifest.read(dir), Device.cpu());
          NDManager m = NDManager.newBaseManager()) {
        NDArray latents = ae.encode(random(m, new Shape(2, 1, 16, 16), 5));
        Shape shape = latents.getShape();
        float[] z = latents.toFloatArray();
        double[] expected = gradient64(m, x -> forward(twin, twin.decoder(), x), z, shape);
        double[] actual = gradient32(m, x -> ae.decode(x, true), z, shape);
        assertClose(expected, actual);
        assertNoGraphWithoutDifferentiable(m, x -> ae.decode(x, false), z, shape);
      }
    }
  }

  @Test
  void classifierInputGradientMatchesFloat64() throws Exception {
    volumeGradient(Classifier3d.DEFAULTS.withBaseChannels(4).withOutputs(2));
  }

  @Test
  void segmenterInputGradientMatchesFloat64() throws Exception {
    volumeGradient(Segmenter3d.DEFAULTS.withBaseChannels(4).withClasses(2));
  }

  private void volumeGradient(ArchitectureArgs args) throws Exception {
    Engine.getEngine("PyTorch").setRandomSeed(12);
    try (DjlNetwork net = create(args);
        DjlNetwork twin = twinOf(net)) {
      DjlModels.save(net, dir, ModelManifest.builder().setName("m"));
      try (VolumeModel model = DjlModels.loadVolumeModel(ModelManifest.read(dir), Device.cpu());
          NDManager m = NDManager.newBaseManager()) {
        Shape shape = new Shape(1, 1, 6, 8, 7);
        float[] v = random(m, shape, 6).toFloatArray();
        double[] expected = gradient64(m, x -> forward(twin, twin.block(), x), v, shape);
        double[] actual = gradient32(m, x -> model.forward(x, true), v, shape);
        assertClose(expected, actual);
        assertNoGraphWithoutDifferentiable(m, x -> model.forward(x, false), v, shape);
      }
    }
  }

  private static DjlNetwork create(ArchitectureArgs args) {
    return DjlNetwork.create(args, Device.cpu(), DataType.FLOAT32);
  }

  private static DjlNetwork twinOf(DjlNetwork net) {
    DjlNetwork twin = DjlNetwork.create(net.architectureArgs(), Device.cpu(), DataType.FLOAT64);
    twin.copyParametersFrom(net);
    twin.freeze(true);
    return twin;
  }

  private static NDArray forward(DjlNetwork net, Block block, NDArray x) {
    return block.forward(net.parameterStore(), new NDList(x), false).singletonOrThrow();
  }

  /** Gradient of sum(w * f(x)) for fixed pseudo-random weights w, so every output matters. */
  private static double[] gradient64(NDManager m, Function<NDArray, NDArray> f, float[] x, Shape shape) {
    NDArray leaf = m.create(x, shape).toType(DataType.FLOAT64, true);
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray out = f.apply(leaf);
      gc.backward(out.mul(weights(m, out.getShape()).toType(DataType.FLOAT64, false)).sum());
    }
    return leaf.getGradient().toDoubleArray();
  }

  private static double[] gradient32(NDManager m, Function<NDArray, NDArray> f, float[] x, Shape shape) {
    NDArray leaf = m.create(x, shape);
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray out = f.apply(leaf);
      gc.backward(out.mul(weights(m, out.getShape())).sum());
    }
    float[] g = leaf.getGradient().toFloatArray();
    double[] d = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      d[i] = g[i];
    }
    return d;
  }

  private static void assertNoGraphWithoutDifferentiable(
      NDManager m, Function<NDArray, NDArray> f, float[] x, Shape shape) {
    NDArray leaf = m.create(x, shape);
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      assertFalse(f.apply(leaf).hasGradient(), "non-differentiable call recorded a graph");
    }
  }

  private static NDArray weights(NDManager m, Shape shape) {
    return random(m, shape, 99).sub(0.5f);
  }

  private static NDArray random(NDManager m, Shape shape, long seed) {
    Random r = new Random(seed);
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return m.create(v, shape);
  }

  private static void assertClose(double[] expected, double[] actual) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Double.isFinite(actual[i]), "non-finite gradient at " + i);
      diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
      norm += expected[i] * expected[i];
    }
    assertTrue(norm > 0, "zero reference gradient");
    double rel = Math.sqrt(diff / norm);
    assertTrue(rel < 1e-4, "relative L2 error of the input gradient " + rel);
    assertArrayEquals(expected, actual, 1e-3 * Math.sqrt(norm / expected.length) + 1e-7);
  }
}
