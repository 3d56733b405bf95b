package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.pipeline.ScanExplainer;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.report.render.Window;
import dev.ctshift.shift.ShiftConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ctshift explain}: one scan, one counterfactual. */
@Command(
    name = "explain",
    header = "Make a counterfactual of one CT scan: what would the model need to see to change its output?",
    description = {
      "",
      "Encodes every axial slice with the slice autoencoder, takes the gradient of the",
      "model's score with respect to all slice latents, shifts them until the score has",
      "moved as requested, and writes into --out, all on the scan's own grid:",
      "  counterfactual.nii.gz  the changed scan (HU)",
      "  difference.nii.gz      counterfactual minus scan (HU)",
      "  heatmap.nii.gz         where the sweep changes the scan (HU)",
      "  frames.nii.gz          the sweep from the counterfactual to the scan (4D)",
      "  animation.gif          the most changed slice: input | frame | change",
      "  panel.png              the most changed slices",
      "  report.json            scores, λ search, timings, memory, model hashes",
      "",
      "Without arguments it explains the bundled demo model on the bundled sample.",
      ""
    },
    mixinStandardHelpOptions = true,
    sortOptions = false,
    footer = {
      "",
      "Examples:",
      "  ctshift explain",
      "  ctshift explain scan.nii.gz -a models/demo-ae -m models/demo-lung-segmenter \\",
      "      -o out/scan1",
      "  ctshift explain scan.nii.gz -m my-classifier -t effusion --stop-at 0.2"
    })
public final class ExplainCommand implements Callable<Integer> {
  static final String DEFAULT_SCAN = "samples/totalseg-upper-abdomen.nii.gz";
  static final String DEFAULT_AE = "models/demo-ae";
  static final String DEFAULT_MODEL = "models/demo-lung-segmenter";

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SCAN",
      description = "NIfTI file (.nii, .nii.gz) in HU, DICOM file, or folder holding a DICOM series"
          + " (searched recursively). Default: the bundled sample " + DEFAULT_SCAN + ".")
  Path scan;

  @Option(names = "--series-uid", paramLabel = "UID",
      description = "DICOM series to use when a folder holds several. Default: the CT series with the most"
          + " images (ctshift inspect lists them).")
  String seriesUid;

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

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "Output folder. Default: ctshift-out/<scan name>. Outputs appear only when complete.")
  Path out;

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

  @Option(names = "--encode-batch", paramLabel = "N", defaultValue = "32",
      description = "Slices encoded or decoded per batch without gradient. Default: ${DEFAULT-VALUE}.")
  int encodeBatch;

  @Option(names = "--change-budget", paramLabel = "FRACTION", defaultValue = "0.05",
      description = "Stop before the mean absolute change exceeds this fraction of the mean absolute"
          + " (preprocessed) scan. Default: ${DEFAULT-VALUE}.")
  double changeBudget;

  @Option(names = "--max-evaluations", paramLabel = "N", defaultValue = "12",
      description = "Most volume evaluations the λ search may spend. Default: ${DEFAULT-VALUE}.")
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

  @Override
  public Integer call() throws CtShiftException {
    ShiftConfig config = shiftConfig();
    ExplanationWriter.Options output = outputOptions();
    Path scanPath = scan != null ? scan : CommonOptions.home().resolve(DEFAULT_SCAN);
    Path aeDir = autoencoder != null ? autoencoder : CommonOptions.home().resolve(DEFAULT_AE);
    Path modelDir = model != null ? model : CommonOptions.home().resolve(DEFAULT_MODEL);
    Path outDir = out != null ? out : Path.of("ctshift-out", stem(scanPath));

    var progress = common.progress();
    Scan loaded = ScanReader.read(scanPath, seriesUid, common.notices());
    progress.accept("scan " + scanPath + ": " + loaded.description());
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    progress.accept("engine: PyTorch on " + runtime.device() + ", convolutions via " + runtime.convolutionPath());
    try (ScanExplainer explainer = ScanExplainer.load(aeDir, modelDir, target, config, runtime, output)) {
      ScanExplainer.Result r = explainer.explain(loaded, outDir, commandLine(), progress);
      spec.commandLine().getOut().printf("%s: %s %.4f -> %.4f at lambda %.4g (%s); outputs in %s%n",
          scanPath.getFileName(), explainer.objective().describe(), r.explanation().original().score(),
          r.explanation().counterfactual().score(), r.explanation().search().lambdaStar(),
          r.explanation().search().reason().label(), outDir);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

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
          .optMaxEvaluations(maxEvaluations)
          .optFrames(frames)
          .optHeatmap(heatmap)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

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
        throw new ParameterException(spec.commandLine(),
            "--window must be chest or soft-tissue, got '" + window + "'");
    }
    return new ExplanationWriter.Options(w, 3, !noFrames4d, dicomOut);
  }

  private String commandLine() {
    return "ctshift " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
  }

  static String stem(Path p) {
    String name = p.getFileName().toString();
    for (String ext : new String[] {".nii.gz", ".nii", ".gz"}) {
      if (name.endsWith(ext)) {
        return name.substring(0, name.length() - ext.length());
      }
    }
    return name;
  }
}
