package dev.ctshift.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TorchScript 3D models evaluated without gradient get their one-channel volume in channels-last
 * order (oneDNN's NDHWC kernels): their outputs against PyTorch's float64 outputs of the same files
 * ({@code scripts/make_channels_last_fixtures.py}), on a volume large enough that libtorch gives even
 * the first convolution to oneDNN.
 */
class ChannelsLastEvaluationTest {
  static final Path DIR = Fixtures.model("channels-last");
  static TorchRuntime runtime;
  static NDManager manager;
  static JsonObject reference;
  static Shape shape;
  static float[] volume;

  @BeforeAll
  static void load() throws Exception {
    runtime = TorchRuntime.start("cpu", System.err::println);
    manager = runtime.newManager();
    reference = JsonParser.parseString(Files.readString(DIR.resolve("reference.json"))).getAsJsonObject();
    JsonArray s = reference.getAsJsonArray("shape");
    shape = new Shape(s.get(0).getAsLong(), s.get(1).getAsLong(), s.get(2).getAsLong(), s.get(3).getAsLong(),
        s.get(4).getAsLong());
    volume = new float[(int) shape.size()];
    for (int i = 0; i < volume.length; i++) {
      volume[i] = (float) ((i % 97) / 97.0);
    }
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void benchmarkClassifierEvaluationAndGradientPassMatchFloat64() throws Exception {
    try (VolumeModel model = Models.loadVolumeModel(Path.of("models/benchmark/cnn3d-classifier"), runtime.device());
        NDManager m = manager.newSubManager()) {
      double[] expected = doubles("benchmark_classifier");
      assertClose(expected, evaluate(model, m), "evaluation (channels-last)");
      NDArray leaf = m.create(volume, shape);
      leaf.setRequiresGradient(true);
      try (GradientCollector collector = runtime.engine().newGradientCollector()) {
        NDArray out = model.forward(leaf, true);
        assertClose(expected, toDoubles(out), "pass with gradient (standard order)");
        collector.backward(out.get(0, 0));
      }
    }
  }

  /** A model that takes a {@code view} of a convolution's output: channels-last fails, the standard order runs. */
  @Test
  void modelThatCannotTakeChannelsLastStillEvaluatesRight() throws Exception {
    try (VolumeModel model = Models.loadVolumeModel(DIR.resolve("view-classifier"), runtime.device());
        NDManager m = manager.newSubManager()) {
      double[] expected = doubles("view_classifier");
      assertClose(expected, evaluate(model, m), "first evaluation");
      assertClose(expected, evaluate(model, m), "second evaluation");
    }
  }

  /** A segmenter's maps come back in the standard order (index [0, 1, 50, 100, w] is where it should be). */
  @Test
  void segmenterMapsComeBackInStandardOrder() throws Exception {
    try (VolumeModel model = Models.loadVolumeModel(Fixtures.model("tiny-segmenter"), runtime.device());
        NDManager m = manager.newSubManager()) {
      NDArray out = model.forward(m.create(volume, shape), false);
      assertEquals(new Shape(1, 2, shape.get(2), shape.get(3), shape.get(4)), out.getShape());
      float[] maps = out.toFloatArray();
      double[] sums = new double[2];
      for (int i = 0; i < maps.length; i++) {
        sums[i / (maps.length / 2)] += maps[i];
      }
      assertClose(doubles("segmenter_map_sums"), sums, "sums of the maps");
      double[] row = new double[(int) shape.get(4)];
      for (int w = 0; w < row.length; w++) {
        row[w] = maps[(int) ((((1 * shape.get(2) + 50) * shape.get(3)) + 100) * shape.get(4) + w)];
      }
      assertClose(doubles("segmenter_first_row"), row, "target map at slice 50, row 100");
    }
  }

  private static double[] evaluate(VolumeModel model, NDManager m) {
    return TorchRuntime.evaluation(() -> toDoubles(model.forward(m.create(volume, shape), false)));
  }

  private static double[] toDoubles(NDArray a) {
    float[] f = a.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static double[] doubles(String key) {
    JsonArray a = reference.getAsJsonArray(key);
    double[] d = new double[a.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = a.get(i).getAsDouble();
    }
    return d;
  }

  /** Each value within 1e-5 of float64, relative to the largest. */
  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5 * scale, what + " [" + i + "]");
    }
  }
}
