package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Times the three units of work an explanation is made of, through the very code the explainer runs
 * ({@link SliceLatentSpace}), so they can be set beside PyTorch running the same TorchScript files
 * ({@code scripts/benchmark-vs-pytorch}):
 * <ul>
 *   <li>(a) encode every slice without gradient;
 *   <li>(b) one volume evaluation: decode every latent slice without gradient, then one forward of the
 *       3D model and its link value;
 *   <li>(c) the full latent gradient: one forward and backward of the 3D model to the volume, then the
 *       decoder's vector–Jacobian products, a chunk of slices at a time.
 * </ul>
 * Each unit runs once as warm-up (the TorchScript profiling executor optimises over its first calls),
 * then {@code repeats} times; wall-clock and process CPU seconds are kept (on a shared machine the CPU
 * time is the steadier figure).
 */
public final class EngineBenchmark {
  private EngineBenchmark() {
  }

  /** Seconds of each timed repeat of one unit, and a number that must agree with PyTorch's. */
  public record Timing(String unit, double[] seconds, double[] cpuSeconds, double check) {
    /** The least process CPU time (all threads) of one repeat. */
    public double minCpu() {
      return Arrays.stream(cpuSeconds).min().orElse(Double.NaN);
    }

    public double min() {
      return Arrays.stream(seconds).min().orElse(Double.NaN);
    }

    public double median() {
      double[] s = seconds.clone();
      Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
  }

  /**
   * Runs the three units on {@code volume} ({@code [D][H][W]}, W fastest, in the model's range).
   * The checks are: (a) the sum of |latents|, (b) the link value, (c) the sum of |latent gradient|.
   */
  public static List<Timing> run(SliceAutoencoder autoencoder, VolumeModel model, Objective objective,
      NDManager manager, float[] volume, int depth, int height, int width, int batch, int chunk, int repeats) {
    List<Timing> timings = new ArrayList<>();
    try (SliceLatentSpace space = new SliceLatentSpace(autoencoder, model, objective, manager, depth, height,
        width)) {
      NDArray x = space.upload(volume);
      NDArray latents = space.encode(x, batch);
      timings.add(time("a encode", repeats, () -> space.encode(x, batch), EngineBenchmark::absSumAndClose));
      timings.add(time("b evaluation", repeats, () -> {
        try (NDArray decoded = space.decode(latents, batch)) {
          return space.link(decoded);
        }
      }, link -> link));
      timings.add(time("c gradient", repeats, () -> {
        SliceLatentSpace.VolumeGradient atX = space.volumeGradient(x);
        try (NDArray upstream = atX.gradient()) {
          return space.latentGradient(latents, upstream, chunk);
        }
      }, EngineBenchmark::absSumAndClose));
    }
    return timings;
  }

  /**
   * Runs {@code work} once as warm-up, then {@code repeats} times on the clock. {@code check} turns a
   * result into the figure compared with PyTorch's (and releases it) after the clock has stopped, as
   * scripts/benchmark_pytorch.py does: both sides time the same work.
   */
  private static <T> Timing time(String unit, int repeats, Supplier<T> work, ToDoubleFunction<T> check) {
    double value = check.applyAsDouble(work.get());
    double[] seconds = new double[repeats];
    double[] cpu = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long t = System.nanoTime();
      long c = processCpuNanos();
      T result = work.get();
      seconds[i] = (System.nanoTime() - t) / 1e9;
      cpu[i] = (processCpuNanos() - c) / 1e9;
      value = check.applyAsDouble(result);
    }
    return new Timing(unit, seconds, cpu, value);
  }

  /**
   * CPU time of the process, all threads. The JDK's figure counts 10 ms clock ticks on Linux, too
   * coarse for a unit of 0.05 s, so glibc's {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)} is read
   * (the clock Python's {@code time.process_time} reads on the other side); the JDK's elsewhere.
   */
  private static long processCpuNanos() {
    if (CLOCK_GETTIME != null) {
      long[] timespec = new long[2];
      if (CLOCK_GETTIME.invokeInt(new Object[] {CLOCK_PROCESS_CPUTIME_ID, timespec}) == 0) {
        return timespec[0] * 1_000_000_000L + timespec[1];
      }
    }
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
  private static final com.sun.jna.Function CLOCK_GETTIME = clockGettime();

  private static com.sun.jna.Function clockGettime() {
    try {
      return com.sun.jna.NativeLibrary.getInstance("c").getFunction("clock_gettime");
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null;
    }
  }

  private static double absSumAndClose(NDArray a) {
    try (a; NDArray abs = a.abs(); NDArray s = abs.sum()) {
      return s.toType(DataType.FLOAT64, false).getDouble();
    }
  }
}
