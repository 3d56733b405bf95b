package dev.ctshift.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Startup check for the oneDNN defect (see the project's DJL notes): on some CPUs the float32
 * input gradient of stride-1 2D convolutions with few output channels is wrong or NaN unless the
 * environment has {@code ONEDNN_MAX_CPU_ISA=SSE41} before the JVM starts. The check compares that
 * gradient with float64 (which never goes through oneDNN) on small 4-, 8- and 16-to-1
 * convolutions, repeated because the defect is intermittent, once per device and JVM.
 */
public final class ConvGradientCheck {
  /** Largest accepted relative L2 error; the defect gives 0.26 and more. */
  static final double TOLERANCE = 1e-4;
  private static final Map<Device, Double> RESULTS = new ConcurrentHashMap<>();

  private ConvGradientCheck() {}

  /**
   * @throws TrainingException if float32 convolution input gradients are wrong on {@code device}
   */
  public static void requireCorrect(Device device) throws TrainingException {
    double error = relativeError(device);
    if (!(error <= TOLERANCE)) {
      throw new TrainingException("convolution gradients are wrong on this machine (relative error "
          + error + " against float64): set the environment variable ONEDNN_MAX_CPU_ISA=SSE41"
          + " before starting Java, e.g. 'export ONEDNN_MAX_CPU_ISA=SSE41'");
    }
  }

  /** The worst relative L2 error of the float32 input gradients (NaN if any is not finite). */
  public static double relativeError(Device device) {
    return RESULTS.computeIfAbsent(device, d -> {
      // The defect is intermittent: several shapes, several times, keep the worst.
      double worst = 0;
      try (NDManager m = NDManager.newBaseManager(d)) {
        for (int repeat = 0; repeat < 4; repeat++) {
          for (int channels : new int[] {8, 4, 16}) {
            for (int size : new int[] {12, 32}) {
              double e = check(m, channels, size);
              worst = Double.isNaN(e) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, e);
            }
          }
        }
      }
      return worst;
    });
  }

  private static double check(NDManager m, int channels, int size) {
    Random r = new Random(channels * 1000L + size);
    Shape xs = new Shape(2, channels, size, size);
    Shape ws = new Shape(1, channels, 3, 3);
    float[] x = random(r, xs);
    float[] w = random(r, ws);
    float[] g = random(r, new Shape(2, 1, size, size));
    double[] expected = inputGradient(m, DataType.FLOAT64, x, xs, w, ws, g);
    double[] actual = inputGradient(m, DataType.FLOAT32, x, xs, w, ws, g);
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
      norm += expected[i] * expected[i];
    }
    return Math.sqrt(diff / norm);
  }

  /** Gradient of {@code sum(g * conv2d(x, w, padding 1))} with respect to x, in {@code type}. */
  static double[] inputGradient(
      NDManager m, DataType type, float[] x, Shape xs, float[] w, Shape ws, float[] g) {
    NDArray input = m.create(x, xs).toType(type, false);
    input.setRequiresGradient(true);
    NDArray weight = m.create(w, ws).toType(type, false);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray out = Conv2d.conv2d(input, weight, null, new Shape(1, 1), new Shape(1, 1))
          .singletonOrThrow();
      gc.backward(out.mul(m.create(g, out.getShape()).toType(type, false)).sum());
    }
    return input.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
  }

  private static float[] random(Random r, Shape shape) {
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
