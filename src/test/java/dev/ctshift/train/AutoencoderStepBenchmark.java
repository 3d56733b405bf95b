package dev.ctshift.train;

import dev.ctshift.model.ArchitectureArgs.SliceAe;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark (not a test): prints the wall and CPU time of one training step of the default
 * {@code slice-ae} on a 32x1x128x128 batch. Run it with {@code scripts/benchmark-train-step}. It lives
 * with the tests because it trains on their synthetic ellipses.
 */
final class AutoencoderStepBenchmark {
  private AutoencoderStepBenchmark() {}

  public static void main(String[] args) throws Exception {
    int warmup = 1;
    int measured = 4;
    SliceDataset data = Synthetic.ellipses(32 * (warmup + measured), 128, 1);
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(32).validationFraction(0).build();
    List<Long> stamps = new ArrayList<>();
    List<Long> cpu = new ArrayList<>();
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try (AutoencoderTrainer t = new AutoencoderTrainer(config, SliceAe.DEFAULTS, 0)) {
      t.fit(data, new ProgressListener() {
        @Override
        public void onStep(Step step) {
          stamps.add(System.nanoTime());
          cpu.add(os.getProcessCpuTime());
        }
      });
    }
    // The first step (warm-up) is left out: it includes loading libtorch and first-call set-up.
    double ms = (stamps.get(stamps.size() - 1) - stamps.get(warmup - 1)) / 1e6 / measured;
    double cpuMs = (cpu.get(cpu.size() - 1) - cpu.get(warmup - 1)) / 1e6 / measured;
    System.out.printf("slice-ae (defaults) train step, 32x1x128x128, mean of %d steps after %d"
        + " warm-up: %.0f ms wall, %.0f ms CPU%n", measured, warmup, ms, cpuMs);
  }
}
