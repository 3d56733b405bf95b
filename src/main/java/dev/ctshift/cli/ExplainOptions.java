package dev.ctshift.cli;

import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.report.render.Window;
import dev.ctshift.shift.ShiftConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options that configure an explanation and its outputs, shared by {@code explain} and
 * {@code batch} (a picocli mixin): models, target, λ search, memory bounds and what is written.
 */
public final class ExplainOptions {
  static final String DEFAULT_AE = "models/phantom-ae";
  static final String DEFAULT_MODEL = "models/phantom-classifier";

  @Spec(Spec.Target.MIXEE)
  picocli.CommandLine.Model.CommandSpec mixee;

  @Option(names = {"-a", "--autoencoder"}, paramLabel = "DIR",
      description = "Slice autoencoder folder (with model.json). Default: the bundled " + DEFAULT_AE + ".")
  Path autoencoder;

  @Option(names = {"-m", "--model"}, paramLabel = "DIR",
      description = "Classifier or segmenter folder (with model.json). Default: the bundled " + DEFAULT_MODEL + ".")
  Path model;

  @Option(names = {"-t", "--target"}, paramLabel = "NAME|INDEX",
      description = "Output (classifier) or class (segmenter) to explain. Default: the manifest's score class,"
          + " else the first output.")
  String target;

  @Option(names = "--direction", paramLabel = "WAY", defaultValue = "lower",
      description = "Move the score lower or raise it: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
      converter = EnumConverters.Direction.class, completionCandidates = EnumConverters.DirectionNames.class)
  ShiftConfig.Direction direction;

  @Option(names = "--stop-at", paramLabel = "SCORE",
      description = "Stop when the score reaches this value (e.g. a probability of 0.1). Default for"
          + " classifiers: a fifth of the decision threshold (0.1 for 0.5); otherwise see --stop-change.")
  Double stopAt;

  @Option(names = "--stop-change", paramLabel = "FRACTION", defaultValue = "0.5",
      description = "Relative score change to reach when no --stop-at applies. Default: ${DEFAULT-VALUE}.")
  double stopChange;

  @Option(names = "--composition", paramLabel = "MODE", defaultValue = "residual",
      description = "residual: scan + Dec(z+λg) - Dec(z), λ=0 is the scan exactly; reconstruction:"
          + " Dec(z+λg), as in the paper. Default: ${DEFAULT-VALUE}.",
      converter = EnumConverters.Composition.class)
  ShiftConfig.Composition composition;

  @Option(names = "--search", paramLabel = "STRATEGY", defaultValue = "adaptive",
      description = "adaptive: linear guess, secant and bracketing (few evaluations); reference: the original"
          + " code's fixed λ schedule, for comparison. Default: ${DEFAULT-VALUE}.",
      converter = EnumConverters.Search.class)
  ShiftConfig.Search search;

  @Option(names = "--chunk-slices", paramLabel = "N", defaultValue = "16",
      description = "Slices decoded with gradient at once: bounds memory. Default: ${DEFAULT-VALUE}.")
  int chunkSlices;

  @Option(names = "--encode-batch", paramLabel = "N", defaultValue = "0",
      description = "Slices encoded or decoded per batch without gradient; 0 chooses by slice size"
          + " (32 up to 256x256, 8 at 512x512). Default: ${DEFAULT-VALUE}.")
  int encodeBatch;

  @Option(names = "--change-budget", paramLabel = "FRACTION", defaultValue = "0.05",
      description = "Stop before the mean absolute change exceeds this fraction of the mean absolute"
          + " (preprocessed) scan. Default: ${DEFAULT-VALUE}.")
  double changeBudget;

  @Option(names = "--focus", paramLabel = "FRACTION", defaultValue = "1",
      description = "Shift only this share of the latent gradient's elements, the largest in magnitude:"
          + " a sparser, more local change. 1 shifts along the whole gradient (Latent Shift as published)."
          + " Default: ${DEFAULT-VALUE}.")
  double focus;

  @Option(names = "--restarts", paramLabel = "N", defaultValue = "0",
      description = "When the score stops moving along the gradient before the target, take a new gradient at"
          + " the best frame so far and go on, at most N times (0: one straight shift, as published)."
          + " Default: ${DEFAULT-VALUE}.")
  int restarts;

  @Option(names = "--max-evaluations", paramLabel = "N", defaultValue = "12",
      description = "Most volume evaluations one λ search may spend (each restart gets as many again)."
          + " Default: ${DEFAULT-VALUE}.")
  int maxEvaluations;

  @Option(names = "--frames", paramLabel = "N", defaultValue = "10",
      description = "Sweep frames from the counterfactual to the scan. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--heatmap", paramLabel = "METHOD", defaultValue = "consecutive",
      description = "consecutive (mean change between consecutive frames), mean, max or endpoints."
          + " Default: ${DEFAULT-VALUE}.",
      converter = EnumConverters.Heatmap.class)
  ShiftConfig.Heatmap heatmap;

  @Option(names = "--window", paramLabel = "NAME", defaultValue = "chest",
      description = "Display window of the images: chest (L -300 W 1500) or soft-tissue (L 40 W 400)."
          + " Default: ${DEFAULT-VALUE}.")
  String window;

  @Option(names = "--dicom-out", negatable = false,
      description = "Also write the counterfactual as a derived DICOM series for NIfTI input (identity fields"
          + " stay empty). DICOM input always gets one, in <out>/dicom.")
  boolean dicomOut;

  @Option(names = "--no-frames-4d", negatable = false,
      description = "Do not write frames.nii.gz (saves disk for large scans).")
  boolean noFrames4d;

  /** The autoencoder folder given, else the bundled demo autoencoder. */
  Path autoencoderDir() {
    return autoencoder != null ? autoencoder : CommonOptions.home().resolve(DEFAULT_AE);
  }

  /** The model folder given, else the bundled demo model. */
  Path modelDir() {
    return model != null ? model : CommonOptions.home().resolve(DEFAULT_MODEL);
  }

  /** The target given, or null for the model's default. */
  String target() {
    return target;
  }

  /** The engine configuration; invalid combinations are usage errors. */
  ShiftConfig shiftConfig() {
    try {
      return ShiftConfig.builder()
          .optDirection(direction)
          .optStopScore(stopAt)
          .optStopChange(stopChange)
          .optComposition(composition)
          .optSearch(search)
          .optChunkSlices(chunkSlices)
          .optEncodeBatch(encodeBatch)
          .optChangeBudget(changeBudget)
          .optFocus(focus)
          .optMaxEvaluations(maxEvaluations)
          .optRestarts(restarts)
          .optFrames(frames)
          .optHeatmap(heatmap)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), e.getMessage());
    }
  }

  /** What is written per scan; an unknown window is a usage error. */
  ExplanationWriter.Options outputOptions() {
    Window w;
    switch (window) {
      case "chest":
        w = Window.CHEST;
        break;
      case "soft-tissue":
        w = Window.SOFT_TISSUE;
        break;
      default:
        throw new ParameterException(mixee.commandLine(),
            "--window must be chest or soft-tissue, got '" + window + "'");
    }
    return new ExplanationWriter.Options(w, 3, !noFrames4d, dicomOut);
  }
}
