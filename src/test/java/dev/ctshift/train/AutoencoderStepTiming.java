package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measures the time of one training step of the default {@code slice-ae} on a 32x1x128x128 batch.
 * Not part of the normal suite (the name does not match surefire's patterns); run it with
 * {@code mvn -o -q test -Dtest=AutoencoderStepTiming}.
 */
class AutoencoderStepTiming {

  @Test
  void defaultAutoencoderStepOn32x128x128() throws Exception {
    int warmup = 1;
    int measured = 4;
    SliceDataset data = Synthetic.ellipses(32 * (warmup + measured), 128, 1);
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(32).validationFraction(0).build();
    List<Long> stamps = new ArrayList<>();
    List<Long> cpu = new ArrayList<>();
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try (AutoencoderTrainer t = new AutoencoderTrainer(config, new JsonObject(), 0)) {
      t.fit(data, new ProgressListener() {
        @Override
        public void onStep(Step step) {
          stamps.add(System.nanoTime());
          cpu.add(os.getProcessCpuTime());
        }
      });
    }
    double ms = (stamps.get(stamps.size() - 1) - stamps.get(warmup - 1)) / 1e6 / measured;
    double cpuMs = (cpu.get(cpu.size() - 1) - cpu.get(warmup - 1)) / 1e6 / measured;
    System.out.printf("slice-ae (defaults) train step, 32x1x128x128: %.0f ms wall, %.0f ms CPU%n",
        ms, cpuMs);
    assertTrue(ms > 0);
  }
}
