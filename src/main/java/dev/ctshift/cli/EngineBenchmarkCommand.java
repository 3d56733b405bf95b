package dev.ctshift.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.shift.EngineBenchmark;
import dev.ctshift.shift.Objective;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ctshift benchmark-engine}: times encoding, one volume evaluation and the full latent gradient
 * on a given volume, for the side-by-side comparison with PyTorch ({@code scripts/benchmark-vs-pytorch}).
 */
@Command(
    name = "benchmark-engine",
    header = "Time encoding, one volume evaluation and the latent gradient (for comparison with PyTorch).",
    description = {
      "",
      "Times (a) encoding every slice, (b) one volume evaluation (decode every",
      "slice, one model forward) and (c) the full latent gradient (model forward",
      "and backward, chunked decoder vector-Jacobian products) with the",
      "explainer's own code, after one warm-up call of each. Prints wall and",
      "process CPU seconds. scripts/benchmark-vs-pytorch runs it beside PyTorch",
      "on the same files and input.",
      ""
    },
    mixinStandardHelpOptions = true,
    sortOptions = false)
public final class EngineBenchmarkCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = {"-a", "--autoencoder"}, paramLabel = "DIR", required = true, description = "Slice autoencoder.")
  Path autoencoder;

  @Option(names = {"-m", "--model"}, paramLabel = "DIR", required = true, description = "3D model.")
  Path model;

  @Option(names = {"-t", "--target"}, paramLabel = "NAME|INDEX", description = "Output or class (default: the first).")
  String target;

  @Option(names = "--volume", paramLabel = "FILE", required = true,
      description = "Raw little-endian float32 volume in the model's range, [D][H][W] order (W fastest).")
  Path volume;

  @Option(names = "--slices", paramLabel = "D", required = true, description = "Slices in the volume.")
  int slices;

  @Option(names = "--size", paramLabel = "N", required = true, description = "In-plane size H = W.")
  int size;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "0", description = "Slices per encode/decode "
      + "batch; 0: the explainer's default for this slice size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--chunk-slices", paramLabel = "N", defaultValue = "16",
      description = "Slices per decoder vector-Jacobian product. Default: ${DEFAULT-VALUE}.")
  int chunk;

  @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
      description = "Timed repeats after the warm-up. Default: ${DEFAULT-VALUE}.")
  int repeats;

  @Override
  public Integer call() throws CtShiftException, IOException {
    long expected = 4L * slices * size * size;
    if (slices < 1 || size < 1 || repeats < 1 || chunk < 1 || batch < 0) {
      throw new ParameterException(spec.commandLine(), "--slices, --size, --repeats, --chunk-slices must be >= 1");
    }
    if (!Files.isRegularFile(volume) || Files.size(volume) != expected) {
      throw new ParameterException(spec.commandLine(), "--volume " + volume + ": expected a file of " + expected
          + " bytes (" + slices + " x " + size + " x " + size + " float32)");
    }
    float[] values = new float[slices * size * size];
    ByteBuffer.wrap(Files.readAllBytes(volume)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    PrintWriter out = spec.commandLine().getOut();
    int slicesPerBatch = batch > 0 ? batch : dev.ctshift.shift.ShiftConfig.slicesPerBatch(size, size);
    try (SliceAutoencoder ae = Models.loadAutoencoder(autoencoder, runtime.device());
        VolumeModel m = Models.loadVolumeModel(model, runtime.device());
        NDManager manager = runtime.newManager()) {
      Objective objective = Objective.of(m.manifest(), target);
      out.printf(Locale.ROOT, "ctshift (DJL, libtorch 2.7.1), %d threads, batch %d, chunk %d, %s%n",
          JniUtils.getNumThreads(), slicesPerBatch, chunk, runtime.convolutionPath());
      for (EngineBenchmark.Timing t : EngineBenchmark.run(ae, m, objective, manager, values, slices, size, size,
          slicesPerBatch, chunk, repeats)) {
        out.printf(Locale.ROOT, "%-14s min %8.3f s  median %8.3f s  cpu %8.3f s  check %.6g%n", t.unit(), t.min(),
            t.median(), t.minCpu(), t.check());
      }
      out.flush();
    }
    return 0;
  }
}
