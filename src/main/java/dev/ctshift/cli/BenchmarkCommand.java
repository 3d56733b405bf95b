package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.ProcessMemory;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.pipeline.ScanPipeline;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ctshift benchmark}: one explanation of a synthetic volume of a chosen size, straight in model
 * space, printing per-stage time, model evaluations and peak RSS. Peak RSS is the process's high-water
 * mark, so compare settings in separate runs ({@code scripts/benchmark} does).
 */
@Command(
    name = "benchmark",
    header = "Time one explanation of a synthetic volume and report per-stage time and peak memory.",
    description = {
      "",
      "Runs the engine on a synthetic body-like volume of D slices of H x W, already in the",
      "model's intensity range (no file I/O, no resampling), and prints one line per stage",
      "plus peak resident memory. Run once per setting: peak memory is per process.",
      ""
    },
    mixinStandardHelpOptions = true,
    sortOptions = false,
    footer = {"", "Example:", "  ctshift benchmark --slices 134 --size 224 --chunk-slices 16"})
public final class BenchmarkCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = {"-a", "--autoencoder"}, paramLabel = "DIR", description = "Default: the bundled "
      + ExplainOptions.DEFAULT_AE + ".")
  Path autoencoder;

  @Option(names = {"-m", "--model"}, paramLabel = "DIR", description = "Default: the bundled "
      + ExplainOptions.DEFAULT_MODEL + ".")
  Path model;

  @Option(names = {"-t", "--target"}, paramLabel = "NAME|INDEX", description = "Output or class to explain.")
  String target;

  @Option(names = "--slices", paramLabel = "D", defaultValue = "134", description = "Default: ${DEFAULT-VALUE}.")
  int slices;

  @Option(names = "--size", paramLabel = "N", defaultValue = "224",
      description = "In-plane size H = W (the autoencoder and model must accept it). Default: ${DEFAULT-VALUE}.")
  int size;

  @Option(names = "--chunk-slices", paramLabel = "N", defaultValue = "16",
      description = "Default: ${DEFAULT-VALUE}; 0 means all slices at once (unchunked).")
  int chunkSlices;

  @Option(names = "--search", paramLabel = "STRATEGY", defaultValue = "adaptive",
      converter = EnumConverters.Search.class, description = "adaptive or reference. Default: ${DEFAULT-VALUE}.")
  ShiftConfig.Search search;

  @Option(names = "--frames", paramLabel = "N", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() throws CtShiftException {
    if (slices < 1 || size < 8) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--slices must be >= 1 and --size >= 8");
    }
    Path aeDir = autoencoder != null ? autoencoder : CommonOptions.home().resolve(ExplainOptions.DEFAULT_AE);
    Path modelDir = model != null ? model : CommonOptions.home().resolve(ExplainOptions.DEFAULT_MODEL);
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    double startSeconds = (System.nanoTime() - t0) / 1e9;
    int chunk = chunkSlices <= 0 ? slices : chunkSlices;
    ShiftConfig config = ShiftConfig.builder().optChunkSlices(chunk).optSearch(search).optFrames(frames).build();
    try (ScanPipeline pipeline = ScanPipeline.load(aeDir, modelDir, target, runtime)) {
      double[] range = pipeline.model().manifest().input().range();
      float[] volume = syntheticBody(slices, size, size, seed, (float) range[0], (float) range[1]);
      double rssBefore = ProcessMemory.rssMiB();
      Map<String, Double> stagePeak = new LinkedHashMap<>();
      ProcessMemory.resetPeak();
      long t = System.nanoTime();
      Explanation e = pipeline.explain(new Volume(size, size, slices, volume, Affine.identity()), config,
          (stage, s) -> {
            stagePeak.put(stage, ProcessMemory.peakRssMiB());
            ProcessMemory.resetPeak();
          }, common.progress());
      double total = (System.nanoTime() - t) / 1e9;
      out.printf(Locale.ROOT, "volume %dx%dx%d (D x H x W), chunk %d slices, search %s, device %s (%s)%n",
          slices, size, size, chunk, search.name().toLowerCase(Locale.ROOT), runtime.device(),
          runtime.convolutionPath());
      out.printf(Locale.ROOT, "  engine start + self-test %8.2f s%n", startSeconds);
      out.printf(Locale.ROOT, "  %-24s %8s   %s%n", "stage", "time", "peak RSS during the stage");
      e.seconds().forEach((stage, s) -> out.printf(Locale.ROOT, "  %-24s %8.2f s %6.0f MiB%n", stage, s,
          stagePeak.getOrDefault(stage, -1.0)));
      out.printf(Locale.ROOT, "  %-24s %8.2f s%n", "total explanation", total);
      out.printf(Locale.ROOT, "  evaluations: search %d, sweep %d; stop: %s; score %.4f -> %.4f%n",
          e.search().evaluations(), e.sweepEvaluations(), e.search().reason().label(), e.original().score(),
          e.counterfactual().score());
      double peak = java.util.Collections.max(stagePeak.values());
      out.printf(Locale.ROOT, "  RSS after engine start and model loading %.0f MiB, peak RSS %.0f MiB%n", rssBefore,
          peak);
      out.flush();
    }
    return 0;
  }

  /** A smooth body-like ellipse with soft-tissue values, darker lungs, bright spine and noise. */
  static float[] syntheticBody(int d, int h, int w, long seed, float low, float high) {
    Random random = new Random(seed);
    float[] v = new float[d * h * w];
    float air = low;
    float tissue = low + 0.52f * (high - low);
    float lung = low + 0.15f * (high - low);
    float bone = low + 0.8f * (high - low);
    for (int k = 0; k < d; k++) {
      for (int j = 0; j < h; j++) {
        for (int i = 0; i < w; i++) {
          double y = (j - h / 2.0) / (0.38 * h);
          double x = (i - w / 2.0) / (0.45 * w);
          float value = air;
          if (x * x + y * y < 1) {
            value = tissue;
            double lx = Math.abs(x) - 0.45;
            double ly = y + 0.1;
            if (lx * lx / 0.09 + ly * ly / 0.3 < 1) {
              value = lung;
            }
            if (Math.hypot(x, y - 0.6) < 0.12) {
              value = bone;
            }
          }
          v[i + w * (j + h * k)] = Math.min(high, Math.max(low, value + (float) (0.01 * random.nextGaussian())));
        }
      }
    }
    return v;
  }
}
