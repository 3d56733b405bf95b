package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.io.sanity.OutputFolderCheck;
import dev.ctshift.io.sanity.ScanCheck;
import dev.ctshift.pipeline.MultiTargetExplainer;
import dev.ctshift.pipeline.OutOfMemory;
import dev.ctshift.pipeline.ScanExplainer;
import dev.ctshift.pipeline.TargetSelection;
import dev.ctshift.pipeline.TargetsSummary;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.report.html.PageRebuilder;
import dev.ctshift.shift.ShiftConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ctshift explain}: one scan, one counterfactual per target. */
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
      "  report.html            all of it in one interactive page (no network needed)",
      "",
      "With several targets (-t repeated, or --targets all|positive) the scan is",
      "encoded once and each target gets these files in --out/<target>/, beside",
      "summary.json and summary.md (per target: scores, λ*, stop reason, cost, most",
      "changed slices; and every output's score on each counterfactual) and",
      "panel.png (one row per target).",
      "",
      "When the score is already where the search would stop (already-at-target),",
      "nothing is shifted and only report.json is written. --method paper runs the",
      "published method as its code does (see README).",
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
      "  ctshift explain scan.nii.gz -m my-classifier -t effusion --stop-at 0.2",
      "  ctshift explain scan.nii.gz -t effusion -t cardiomegaly -o out/scan1",
      "  ctshift explain scan.nii.gz --targets positive -o out/scan1"
    })
public final class ExplainCommand implements Callable<Integer> {
  static final String DEFAULT_SCAN = "samples/phantom-effusion.nii.gz";

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

  @Option(names = {"-o", "--out"}, paramLabel = "DIR",
      description = "Output folder. Default: ctshift-out/<scan name>. Outputs appear only when complete.")
  Path out;

  @Mixin ExplainOptions explain;

  @Option(names = "--html-only", negatable = false,
      description = "Only rebuild report.html in --out from its report.json and frames.nii.gz and the scan;"
          + " runs no model.")
  boolean htmlOnly;

  @Override
  public Integer call() throws CtShiftException {
    ShiftConfig config = explain.shiftConfig();
    ExplanationWriter.Options output = explain.outputOptions();
    InputPolicy policy = explain.inputPolicy();
    TargetSelection targets = explain.targets();
    Path scanPath = scan != null ? scan : CommonOptions.home().resolve(DEFAULT_SCAN);
    Path outDir = out != null ? out : Path.of("ctshift-out", stem(scanPath));
    OutputFolderCheck.problem(outDir.toString(), scanPath).ifPresent(problem -> {
      throw new ParameterException(spec.commandLine(), problem);
    });
    String name = scanPath.getFileName() == null ? "" : scanPath.getFileName().toString();
    if (seriesUid != null && (name.endsWith(".nii") || name.endsWith(".nii.gz"))) {
      throw new ParameterException(spec.commandLine(), "--series-uid chooses a DICOM series, but " + scanPath
          + " is a NIfTI file: leave --series-uid out");
    }
    explain.checkAgainstModel();
    try {
      return run(config, output, policy, targets, scanPath, outDir);
    } catch (OutOfMemoryError e) {
      throw new CtShiftException(scanPath + ": " + OutOfMemory.advice(e), e);
    }
  }

  private int run(ShiftConfig config, ExplanationWriter.Options output, InputPolicy policy, TargetSelection targets,
      Path scanPath, Path outDir) throws CtShiftException {
    var progress = common.progress();
    Scan loaded = ScanCheck.check(ScanReader.read(scanPath, seriesUid, policy.allowedModalities(), common.notices()),
        policy, common.notices());
    progress.accept("scan " + scanPath + ": " + loaded.description());
    if (htmlOnly) {
      Path page = PageRebuilder.rebuild(outDir, loaded.hu(), output.window());
      spec.commandLine().getOut().println("wrote " + page);
      spec.commandLine().getOut().flush();
      return 0;
    }
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    progress.accept("engine: PyTorch on " + runtime.device() + ", convolutions via " + runtime.convolutionPath());
    if (!targets.isSingle()) {
      return explainSeveral(targets, config, output, policy, loaded, scanPath, outDir, runtime, progress);
    }
    try (ScanExplainer explainer = ScanExplainer.load(explain.autoencoderDir(), explain.modelDir(),
        targets.single(), config, runtime, output)) {
      ScanExplainer.Result r = explainer.explain(loaded, outDir, commandLine(), progress, policy, common.notices());
      spec.commandLine().getOut().println(ResultLine.of(scanPath, explainer.objective(), config, r.explanation(), outDir));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private int explainSeveral(TargetSelection targets, ShiftConfig config, ExplanationWriter.Options output,
      InputPolicy policy, Scan loaded, Path scanPath, Path outDir, TorchRuntime runtime,
      java.util.function.Consumer<String> progress) throws CtShiftException {
    try (ScanExplainer models = ScanExplainer.load(explain.autoencoderDir(), explain.modelDir(), null, config,
        runtime, output)) {
      TargetsSummary s = MultiTargetExplainer.of(models, targets).explain(loaded, outDir, commandLine(), progress,
          policy, common.notices());
      var stdout = spec.commandLine().getOut();
      for (TargetsSummary.Target t : s.targets()) {
        stdout.printf("%s: %s %.4f -> %.4f at lambda %.4g (%s); outputs in %s%n", scanPath.getFileName(), t.name(),
            t.scoreBefore(), t.scoreAfter(), t.lambdaStar(), t.stopReason(), outDir.resolve(t.folder()));
      }
      stdout.printf("%s: %d target(s) (%s); summary and cross-effects in %s%n", scanPath.getFileName(),
          s.targets().size(), targets, outDir.resolve(TargetsSummary.MARKDOWN));
      stdout.flush();
    }
    return 0;
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
