package dev.ctshift.cli;

import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.pipeline.TargetSelection;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.report.render.Window;
import dev.ctshift.shift.ExplanationMethod;
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
      description = "Output (classifier) or class (segmenter) to explain. Repeat it to explain several in one run:"
          + " the scan is encoded once, each target gets OUT/<target>/, and OUT/summary.json and summary.md add"
          + " a cross-effects table (every output's score on each counterfactual). Default: the manifest's score"
          + " class, else the first output.")
  java.util.List<String> target;

  @Option(names = "--targets", paramLabel = "WHICH",
      description = "Explain several outputs, as with several -t: all (every output) or positive (every output"
          + " at or above its decision threshold on the scan; with --direction raise, every output below it)."
          + " Default: the outputs given with -t.")
  String targetSet;

  @Option(names = "--direction", paramLabel = "WAY", defaultValue = "lower",
      description = "Move the score lower or raise it: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
      converter = EnumConverters.Direction.class, completionCandidates = EnumConverters.DirectionNames.class)
  ShiftConfig.Direction direction;

  @Option(names = "--method", paramLabel = "NAME", defaultValue = "default",
      description = "Path preset: default (residual composition, adaptive search, a new gradient wherever the"
          + " score stalls before the target); paper (the published method as its code runs it:"
          + " reconstruction composition, reference λ schedule, one straight shift); straight (default"
          + " without new gradients); curved (a new gradient every 2 evaluations). --composition,"
          + " --search and --restarts override it. One of ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
      converter = MethodConverter.class, completionCandidates = MethodConverter.Names.class)
  ExplanationMethod method;

  @Option(names = "--composition", paramLabel = "MODE",
      description = "residual: scan + Dec(z+λg) - Dec(z), λ=0 is the scan exactly; reconstruction:"
          + " Dec(z+λg), as in the paper. Default: the --method's (residual).",
      converter = EnumConverters.Composition.class)
  ShiftConfig.Composition composition;

  @Option(names = "--search", paramLabel = "STRATEGY",
      description = "adaptive: linear guess, secant and bracketing (few evaluations); reference: the original"
          + " code's fixed λ schedule, for comparison. Default: the --method's (adaptive).",
      converter = EnumConverters.Search.class)
  ShiftConfig.Search search;

  @Option(names = "--window", paramLabel = "NAME", defaultValue = "chest",
      description = "Display window of the images: chest (L -300 W 1500) or soft-tissue (L 40 W 400)."
          + " Default: ${DEFAULT-VALUE}.")
  String window;

  @Option(names = "--dicom-out", negatable = false,
      description = "Also write the counterfactual as a derived DICOM series for NIfTI input (identity fields"
          + " stay empty). DICOM input always gets one, in <out>/dicom.")
  boolean dicomOut;

  @Option(names = "--no-html", negatable = false,
      description = "Do not write report.html (the interactive page; about the size of the scan gzipped).")
  boolean noHtml;

  @Option(names = "--no-frames-4d", negatable = false,
      description = "Do not write frames.nii.gz (saves disk for large scans).")
  boolean noFrames4d;

  @picocli.CommandLine.Mixin InputOptions input;

  @picocli.CommandLine.Mixin ShiftOptions shift;

  @Option(names = "--strict", negatable = false,
      description = "Refuse a scan the autoencoder reconstructs far worse than on its held-out data (see"
          + " report.json reconstruction.psnr_db) instead of warning.")
  boolean strict;

  /** How the scan's values are taken: checked as HU, assumed HU, or rescaled. */
  InputPolicy inputPolicy() {
    try {
      return input.policy(strict);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), e.getMessage());
    }
  }

  /**
   * Checks the options that depend on the model: a --stop-at for a probability must lie in (0, 1).
   *
   * @throws ModelLoadException if the model's manifest cannot be read
   */
  void checkAgainstModel() throws ModelLoadException {
    ModelManifest m = ModelManifest.read(modelDir());
    if (shift.stopAt != null && m.activation() != ModelManifest.Activation.NONE && !(shift.stopAt > 0 && shift.stopAt < 1)) {
      throw new ParameterException(mixee.commandLine(), "--stop-at must be a probability between 0 and 1 (the"
          + " model " + m.name() + " has a " + m.activation().name().toLowerCase(java.util.Locale.ROOT)
          + " output), got " + shift.stopAt);
    }
  }

  /** The autoencoder folder given, else the bundled demo autoencoder. */
  Path autoencoderDir() {
    return autoencoder != null ? autoencoder : CommonOptions.home().resolve(DEFAULT_AE);
  }

  /** The model folder given, else the bundled demo model. */
  Path modelDir() {
    return model != null ? model : CommonOptions.home().resolve(DEFAULT_MODEL);
  }

  /** The targets asked for; usage errors for -t with --targets or an unknown --targets. */
  TargetSelection targets() {
    try {
      if (targetSet == null) {
        return TargetSelection.named(target == null ? java.util.List.of() : target);
      }
      if (target != null) {
        throw new ParameterException(mixee.commandLine(), "give targets either with -t or with --targets, not both");
      }
      TargetSelection s = TargetSelection.parse(targetSet);
      if (s.kind() == TargetSelection.Kind.NAMED) {
        throw new ParameterException(mixee.commandLine(), "--targets must be all or positive, got '" + targetSet
            + "' (name single outputs with -t)");
      }
      return s;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), e.getMessage());
    }
  }

  /** The engine configuration; invalid combinations are usage errors. */
  ShiftConfig shiftConfig() {
    try {
      ShiftConfig.Builder b = method.apply(ShiftConfig.builder());
      if (composition != null) {
        b.optComposition(composition);
      }
      if (search != null) {
        b.optSearch(search);
      }
      return shift.applyTo(b).optDirection(direction).build();
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
    return new ExplanationWriter.Options(w, 3, !noFrames4d, dicomOut).withHtml(!noHtml);
  }
}
