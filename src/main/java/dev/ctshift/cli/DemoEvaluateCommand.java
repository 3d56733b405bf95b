package dev.ctshift.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ctshift.AtomicFiles;
import dev.ctshift.CtShiftException;
import dev.ctshift.demo.DemoEvaluation;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.train.data.ScanFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ctshift demo evaluate}: held-out figures of the demo models ({@link DemoEvaluation}). */
@Command(name = "evaluate", hidden = true, mixinStandardHelpOptions = true,
    header = "Held-out figures of an autoencoder, classifier and segmenter (used by scripts/make_demo_models).",
    description = {"Autoencoder PSNR/SSIM; classifier ROC AUC per output with a 95%% bootstrap interval (1000"
        + " resamples of the scans, seed 1), the nodule AUC by largest nodule (< 14, 14-18, >= 18 mm; from the"
        + " phantom column nodule_diameters_mm), AUC on autoencoder reconstructions and the reconstruction"
        + " gap; segmenter Dice; per-scan probabilities."})
final class DemoEvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--autoencoder", required = true, paramLabel = "DIR") Path autoencoder;
  @Option(names = "--classifier", required = true, paramLabel = "DIR") Path classifier;
  @Option(names = "--segmenter", required = true, paramLabel = "DIR") Path segmenter;
  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Held-out phantoms.") Path data;
  @Option(names = "--labels", required = true, paramLabel = "CSV") Path labels;
  @Option(names = "--real", paramLabel = "DIR", description = "Real CT scans for the autoencoder PSNR.") Path real;
  @Option(names = "--samples", split = ",", paramLabel = "FILE",
      description = "Scans whose scores are written to --expected-out.") List<Path> samples = new ArrayList<>();
  @Option(names = "--expected-out", paramLabel = "JSON") Path expectedOut;
  @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures here.") Path json;

  @Override
  public Integer call() throws CtShiftException {
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    try (DemoEvaluation evaluation = new DemoEvaluation(autoencoder, classifier, segmenter, runtime.device())) {
      JsonObject figures = evaluation.heldOut(ScanFiles.find(List.of(data)), labels, common.progress());
      if (real != null && Files.isDirectory(real)) {
        figures.add("real_ct", evaluation.autoencoderOn(ScanFiles.find(List.of(real)), common.progress()));
      } else {
        figures.addProperty("real_ct", "skipped: " + real + " is absent");
      }
      String text = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
          .toJson(figures);
      spec.commandLine().getOut().println(text);
      write(json, text);
      if (expectedOut != null) {
        write(expectedOut, new GsonBuilder().setPrettyPrinting().create().toJson(evaluation.sampleScores(samples)));
      }
    }
    return 0;
  }

  private static void write(Path file, String text) throws CtShiftException {
    if (file == null) {
      return;
    }
    try {
      AtomicFiles.writeString(file, text + "\n");
    } catch (IOException e) {
      throw new CtShiftException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
