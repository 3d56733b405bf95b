package dev.ctshift.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.ProcessMemory;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.report.Json;
import dev.ctshift.report.StagedOutput;
import dev.ctshift.report.TargetsPanel;
import dev.ctshift.shift.EncodedVolume;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.Objective;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Explains several outputs of a model on one scan in one run. The scan is read, preprocessed and
 * encoded once, and the model runs once on the scan and once on its reconstruction for all outputs;
 * the gradient, λ search and sweep then run per target, each in arrays of its own that are released
 * before the next target starts. Writes into {@code OUT}:
 *
 * <ul>
 *   <li>{@code OUT/<target>/} — the outputs of a single-target explanation, for each target;
 *   <li>{@code summary.json}, {@code summary.md} — see {@link TargetsSummary}, with the cross-effects
 *       table: every output's score on each counterfactual, measured on the counterfactual as written
 *       (read back, preprocessed, scored);
 *   <li>{@code panel.png} — one row per target: its most changed slice.
 * </ul>
 *
 * As for one target, the outputs appear only when all are complete.
 *
 * <pre>{@code
 * try (ScanExplainer models = ScanExplainer.load(aeDir, modelDir, null, config, runtime, options)) {
 *   MultiTargetExplainer.of(models, TargetSelection.positive()).explain(scan, out, commandLine, log);
 * }
 * }</pre>
 */
public final class MultiTargetExplainer {
  private final ScanExplainer explainer;
  private final TargetSelection selection;
  private final List<Objective> candidates;
  private final List<Objective> outputs;

  private MultiTargetExplainer(ScanExplainer explainer, TargetSelection selection, List<Objective> candidates,
      List<Objective> outputs) {
    this.explainer = explainer;
    this.selection = selection;
    this.candidates = candidates;
    this.outputs = outputs;
  }

  /**
   * Explains {@code selection} with the models of {@code explainer} (its own target is not used).
   *
   * @throws ModelLoadException if a named target is not an output of the model, or the selection does
   *     not apply to it
   */
  public static MultiTargetExplainer of(ScanExplainer explainer, TargetSelection selection)
      throws ModelLoadException {
    ModelManifest manifest = explainer.pipeline().model().manifest();
    try {
      List<Objective> candidates = selection.candidates(manifest);
      List<Objective> outputs = manifest.outputs().isEmpty() ? candidates : TargetSelection.outputs(manifest);
      return new MultiTargetExplainer(explainer, selection, candidates, outputs);
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(manifest.directory() + ": " + e.getMessage(), e);
    }
  }

  /** The outputs the cross-effects table has columns for. */
  public List<Objective> outputs() {
    return outputs;
  }

  /**
   * Explains the selected targets of one scan and writes every output into {@code outDir},
   * atomically.
   *
   * @throws CtShiftException if the engine or writing fails
   */
  public TargetsSummary explain(Scan scan, Path outDir, String commandLine, Consumer<String> progress)
      throws CtShiftException {
    return explain(scan, outDir, commandLine, progress, InputPolicy.DEFAULT, progress);
  }

  /**
   * {@link #explain(Scan, Path, String, Consumer)} with the checks of {@link ScanExplainer#explain(Scan,
   * Path, String, Consumer, InputPolicy, Consumer)} for every target; each warning is given once.
   */
  public TargetsSummary explain(Scan scan, Path outDir, String commandLine, Consumer<String> progress,
      InputPolicy policy, Consumer<String> warnings) throws CtShiftException {
    long started = System.nanoTime();
    Map<String, Double> shared = new LinkedHashMap<>();
    Set<String> given = new HashSet<>();
    Consumer<String> once = line -> {
      if (given.add(line)) {
        warnings.accept(line);
      }
    };
    Preprocessing.Prepared prepared = explainer.prepare(scan, shared, progress, once);
    ScanPipeline pipeline = explainer.pipeline();
    VolumeModel model = pipeline.model();
    List<TargetsSummary.Target> rows = new ArrayList<>();
    double[] scanScores = new double[outputs.size()];
    try (NDManager manager = pipeline.runtime().newManager();
        EncodedVolume encoded = pipeline.encode(manager, prepared.volume(), explainer.config(), progress);
        StagedOutput out = StagedOutput.into(outDir)) {
      shared.put("encode", encoded.seconds());
      long t = System.nanoTime();
      List<Objective> scored = new ArrayList<>(outputs);
      candidates.stream().filter(c -> outputs.stream().noneMatch(o -> o.index() == c.index())).forEach(scored::add);
      encoded.scoreOutputs(model, scored);
      shared.put("model passes", (System.nanoTime() - t) / 1e9);
      for (int i = 0; i < outputs.size(); i++) {
        scanScores[i] = encoded.scanScore(outputs.get(i)).orElseThrow();
      }
      double[] candidateScores = candidates.stream().mapToDouble(c -> encoded.scanScore(c).orElseThrow()).toArray();
      List<Objective> targets = selection.select(candidates, candidateScores, explainer.config().direction());
      progress.accept(targets.isEmpty() ? "no output selected (" + selection + "): nothing to explain"
          : "targets (" + selection + "): " + String.join(", ", targets.stream().map(Objective::name).toList()));
      TargetsPanel panel = new TargetsPanel(explainer.outputOptions().window());
      // Folder names must not replace the run's own files.
      Set<String> folders = new HashSet<>(Set.of(TargetsSummary.JSON, TargetsSummary.MARKDOWN, "panel.png"));
      for (Objective target : targets) {
        rows.add(explainTarget(scan, prepared, encoded, target, folder(target, folders), out, outDir, panel,
            manager, commandLine, progress, policy, once));
      }
      TargetsSummary summary = new TargetsSummary(scan.source().toString(), model.manifest().name(),
          pipeline.autoencoder().manifest().name(), explainer.config().direction().name().toLowerCase(Locale.ROOT),
          selection.toString(), outputs.stream().map(Objective::name).toList(), scanScores, rows, Json.rounded(shared),
          (System.nanoTime() - started) / 1e9, ProcessMemory.peakRssMiB());
      try {
        summary.write(out.folder());
        if (!panel.isEmpty()) {
          panel.write(out.file("panel.png"));
        }
      } catch (IOException e) {
        throw new CtShiftException(outDir + ": cannot write the summary: " + e.getMessage(), e);
      }
      out.commit();
      return summary;
    } catch (RuntimeException | OutOfMemoryError ex) {
      throw pipeline.failure(scan.source(), ex);
    }
  }

  private TargetsSummary.Target explainTarget(Scan scan, Preprocessing.Prepared prepared, EncodedVolume encoded,
      Objective target, String folder, StagedOutput out, Path outDir, TargetsPanel panel, NDManager manager,
      String commandLine, Consumer<String> progress, InputPolicy policy, Consumer<String> warnings)
      throws CtShiftException {
    long started = System.nanoTime();
    progress.accept("target " + target.name() + ": " + target.describe());
    Explanation e = explainer.pipeline().explain(encoded, target, explainer.config(), progress);
    JsonObject reconstruction = explainer.check(scan, e, policy, warnings);
    Map<String, Double> seconds = new LinkedHashMap<>(e.seconds());
    Path written = out.folder().resolve(folder);
    ScanExplainer.Written w;
    try (StagedOutput sub = StagedOutput.into(written)) {
      w = explainer.write(sub, outDir.resolve(folder), scan, prepared, target, e, reconstruction, commandLine,
          seconds, started, progress);
      sub.commit();
    }
    int[] most = intArray(w.slices().getAsJsonArray("most_changed"));
    panel.add(target.name(), scan.hu(), w.counterfactualHu(), most[0],
        w.slices().get("display_scale_hu").getAsDouble(), e.original().score(), e.counterfactual().score());
    double[] cross = scoresOfWritten(written.resolve("counterfactual.nii.gz"), manager);
    progress.accept(String.format("%s: %s %.4f -> %.4f (%s)", target.name(), target.describe(), e.original().score(),
        e.counterfactual().score(), e.search().reason().label()));
    return new TargetsSummary.Target(target.name(), folder, e.original().score(), e.counterfactual().score(),
        e.search().lambdaStar(), e.search().reason().label(), e.search().evaluations(), e.sweepEvaluations(),
        meanAbsDifference(w.counterfactualHu(), scan.hu()), most, cross, (System.nanoTime() - started) / 1e9);
  }

  /**
   * Every output's score on a written counterfactual: read back, preprocessed as the model says and
   * scored by the whole model, so the table holds what a user gets from the file.
   */
  private double[] scoresOfWritten(Path counterfactual, NDManager parent) throws CtShiftException {
    Scan back;
    try {
      back = ScanReader.read(counterfactual, null, line -> { });
    } catch (VolumeReadException e) {
      throw new CtShiftException(counterfactual + ": cannot read the counterfactual back: " + e.getMessage(), e);
    }
    Volume v = explainer.pipeline().preprocess(back.hu()).volume();
    double[] scores = new double[outputs.size()];
    try (NDManager scope = parent.newSubManager()) {
      NDArray input = scope.create(v.data(), new Shape(1, 1, v.nz(), v.ny(), v.nx()));
      NDArray raw = explainer.pipeline().model().forward(input, false);
      raw.attach(scope);
      for (int i = 0; i < scores.length; i++) {
        Objective o = outputs.get(i);
        scores[i] = o.score(o.link(raw).toType(DataType.FLOAT64, false).getDouble());
      }
    }
    return scores;
  }

  /** The target's folder: its name made file-name safe, unique among the folders of this run. */
  static String folder(Objective target, Set<String> taken) {
    String base = target.name().replaceAll("[^A-Za-z0-9.-]+", "_").replaceAll("^[._-]+", "");
    if (base.isEmpty()) {
      base = "output_" + target.index();
    }
    String name = base;
    for (int n = 2; !taken.add(name); n++) {
      name = base + "_" + n;
    }
    return name;
  }

  private static double meanAbsDifference(Volume a, Volume b) {
    double s = 0;
    for (int i = 0; i < a.voxelCount(); i++) {
      s += Math.abs(a.data()[i] - b.data()[i]);
    }
    return s / a.voxelCount();
  }

  private static int[] intArray(com.google.gson.JsonArray a) {
    int[] v = new int[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).getAsInt();
    }
    return v;
  }
}
