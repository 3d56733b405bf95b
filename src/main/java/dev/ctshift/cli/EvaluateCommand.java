package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.evaluate.Cohort;
import dev.ctshift.evaluate.CohortEvaluation;
import dev.ctshift.evaluate.Evaluator;
import dev.ctshift.evaluate.Method;
import dev.ctshift.evaluate.Tables;
import dev.ctshift.shift.ExplanationMethod;
import dev.ctshift.shift.ShiftConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ctshift evaluate}: counterfactuals and saliency measured against known finding masks. */
@Command(
    name = "evaluate",
    header = "Measure explanations on a cohort with finding masks: validity, localisation, proximity, cost.",
    description = {
      "",
      "COHORT is a folder with <id>.nii.gz (HU) and <id>_labels.nii.gz per scan, as",
      "'ctshift phantom' writes. A scan is positive when its label map has a voxel of",
      "--mask-label. Each scan is explained with every --modes x --searches",
      "configuration (lowering the score) and, unless --baseline none, with plain",
      "gradient saliency; every map is compared with the mask on the scan's own grid:",
      "  validity      the counterfactual's score at or below the decision threshold",
      "                (of scans the model scores above it); search reached its target",
      "  localisation  share of |counterfactual - scan| (and of the heatmap or",
      "                saliency) inside the mask dilated by --dilate-mm; IoU of the",
      "                map's top-|mask| voxels with the mask",
      "  proximity     mean |dHU| inside and outside the dilated mask",
      "  recon gap     score on the scan minus score on its reconstruction",
      "  cost          model evaluations (search + sweep, search), seconds, peak RSS",
      "Writes OUT/per_scan.csv (after every scan), OUT/summary.csv and OUT/summary.md,",
      "and prints the summary table. docs/EVALUATION.md defines every metric.",
      ""
    },
    mixinStandardHelpOptions = true,
    sortOptions = false,
    footer = {
      "",
      "Example:",
      "  ctshift phantom --out cohort --count 20 --seed 1",
      "  ctshift evaluate cohort -a models/phantom-ae -m models/phantom-classifier \\",
      "      -t effusion --mask-label 2 --only-positive --out eval"
    })
public final class EvaluateCommand implements Callable<Integer> {
  /** The comparison methods that can be added to the Latent Shift configurations. */
  enum Baseline { SALIENCY, NONE }

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "COHORT", description = "Folder of <id>.nii.gz scans with <id>_labels.nii.gz.")
  Path cohort;

  @Option(names = {"-a", "--autoencoder"}, required = true, paramLabel = "DIR",
      description = "Slice autoencoder folder (with model.json).")
  Path autoencoder;

  @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
      description = "Classifier or segmenter folder (with model.json).")
  Path model;

  @Option(names = {"-t", "--target"}, paramLabel = "NAME|INDEX",
      description = "Output or class to explain. Default: the manifest's score class, else the first output.")
  String target;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
      description = "Output folder for per_scan.csv, summary.csv and summary.md (created if missing).")
  Path out;

  @Option(names = "--mask-label", required = true, paramLabel = "LABEL",
      description = "Label of the finding in the label maps (phantoms: 1 lung, 2 effusion, 3 heart, 4 nodule, 5 marker bead).")
  int maskLabel;

  @Option(names = "--dilate-mm", paramLabel = "MM", defaultValue = "6",
      description = "Grow the mask by this radius (mm, Euclidean) for shares and proximity; IoU uses the mask"
          + " itself. Default: ${DEFAULT-VALUE}.")
  double dilateMm;

  @picocli.CommandLine.Mixin InputOptions input;

  @picocli.CommandLine.Mixin ShiftOptions shift;

  @Option(names = "--only-positive", description = "Skip scans without a voxel of --mask-label.")
  boolean onlyPositive;

  @Option(names = "--modes", paramLabel = "MODE", split = ",", defaultValue = "residual,reconstruction",
      converter = EnumConverters.Composition.class,
      description = "Compositions to evaluate, comma-separated: residual, reconstruction. Default: ${DEFAULT-VALUE}.")
  List<ShiftConfig.Composition> modes;

  @Option(names = "--searches", paramLabel = "STRATEGY", split = ",", defaultValue = "adaptive,reference",
      converter = EnumConverters.Search.class,
      description = "Lambda searches to evaluate, comma-separated: adaptive, reference. Default: ${DEFAULT-VALUE}.")
  List<ShiftConfig.Search> searches;

  @Option(names = "--methods", paramLabel = "NAME", split = ",",
      converter = MethodConverter.class,
      description = "Named path presets to evaluate instead of --modes x --searches, comma-separated: "
          + "${COMPLETION-CANDIDATES} (see 'ctshift explain --method'). Default: none.",
      completionCandidates = MethodConverter.Names.class)
  List<ExplanationMethod> presets;

  @Option(names = "--baseline", paramLabel = "NAME", defaultValue = "saliency",
      converter = BaselineConverter.class,
      description = "saliency (|d link / d x|, proportional to |d score / d x|; one gradient pass) or none."
          + " Default: ${DEFAULT-VALUE}.")
  Baseline baseline;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
      description = "Evaluate at most N scans (after --only-positive), in id order; 0 for all. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = "--threshold", paramLabel = "SCORE",
      description = "Decision threshold for validity. Default: the manifest's threshold for a classifier"
          + " probability; none (no validity) for other scores.")
  Double threshold;

  @Override
  public Integer call() throws CtShiftException {
    Evaluator.Settings settings = settings();
    var progress = common.progress();
    Cohort c = Cohort.open(cohort);
    progress.accept("cohort " + cohort + ": " + c.cases().size() + " scans");
    TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
    try (Evaluator evaluator = Evaluator.load(autoencoder, model, target, settings, runtime)) {
      String title = String.format(Locale.ROOT, "Evaluation of %s (%s) on %s, label %d, mask dilated by %s mm",
          evaluator.objective().describe(), model.getFileName(), cohort, maskLabel, Tables.num(dilateMm));
      CohortEvaluation.Result r = CohortEvaluation.run(c, evaluator,
          new CohortEvaluation.Options(maskLabel, onlyPositive, limit,
              inputPolicy()), out, title, progress);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.print(r.markdown());
      stdout.printf("%nper-scan rows in %s, summary in %s and %s%n", out.resolve(Tables.PER_SCAN),
          out.resolve(Tables.SUMMARY_CSV), out.resolve(Tables.SUMMARY_MD));
      stdout.flush();
    }
    return 0;
  }

  private Evaluator.Settings settings() {
    if (limit < 0) {
      throw new ParameterException(spec.commandLine(), "--limit must be >= 0, got " + limit);
    }
    List<Method> methods = new ArrayList<>();
    if (presets != null) {
      new LinkedHashSet<>(presets).forEach(p -> methods.add(Method.preset(p)));
    } else {
      for (ShiftConfig.Composition mode : new LinkedHashSet<>(modes)) {
        for (ShiftConfig.Search search : new LinkedHashSet<>(searches)) {
          methods.add(Method.latentShift(mode, search));
        }
      }
    }
    if (baseline == Baseline.SALIENCY) {
      methods.add(Method.SALIENCY);
    }
    try {
      ShiftConfig engine = shift.applyTo(ShiftConfig.builder()).build();
      return new Evaluator.Settings(methods, engine, dilateMm, threshold);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  static final class BaselineConverter implements picocli.CommandLine.ITypeConverter<Baseline> {
    @Override
    public Baseline convert(String value) {
      return EnumConverters.parse(Baseline.class, value);
    }
  }

  private dev.ctshift.io.sanity.InputPolicy inputPolicy() {
    try {
      return input.policy(false);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
