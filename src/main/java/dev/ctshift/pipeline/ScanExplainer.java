package dev.ctshift.pipeline;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.cli.VersionProvider;
import dev.ctshift.compose.ScanSpaceMapper;
import dev.ctshift.engine.ProcessMemory;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.Scan;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.io.sanity.InputRefusedException;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelOutputException;
import dev.ctshift.model.ModelPair;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.report.Json;
import dev.ctshift.report.StagedOutput;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.ExplanationMethod;
import dev.ctshift.shift.LatentShiftExplainer;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.shift.Step;
import dev.ctshift.shift.StopReason;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Explains scans with one loaded autoencoder and model: read → preprocess → engine → compose → write.
 * Models are loaded once and reused for every scan (batch runs).
 *
 * <pre>{@code
 * try (ScanExplainer explainer = ScanExplainer.load(aeDir, modelDir, "effusion", config, runtime, options)) {
 *   explainer.explain(scan, outDir, commandLine, System.err::println);
 * }
 * }</pre>
 */
public final class ScanExplainer implements AutoCloseable {
  private final SliceAutoencoder autoencoder;
  private final VolumeModel model;
  private final Objective objective;
  private final ShiftConfig config;
  private final TorchRuntime runtime;
  private final Preprocessing preprocessing;
  private final ExplanationWriter.Options outputOptions;

  private ScanExplainer(SliceAutoencoder autoencoder, VolumeModel model, Objective objective, ShiftConfig config,
      TorchRuntime runtime, ExplanationWriter.Options outputOptions) {
    this.autoencoder = autoencoder;
    this.model = model;
    this.objective = objective;
    this.config = config;
    this.runtime = runtime;
    this.preprocessing = Preprocessing.fromManifest(model.manifest().input());
    this.outputOptions = outputOptions;
  }

  /**
   * Loads both models and checks that they fit together.
   *
   * @param target output or class name or index; null for the model's default
   * @throws ModelLoadException if a model does not load, the two disagree on input size or intensity,
   *     or the target is unknown
   */
  public static ScanExplainer load(Path autoencoderDir, Path modelDir, String target, ShiftConfig config,
      TorchRuntime runtime, ExplanationWriter.Options outputOptions) throws ModelLoadException {
    ModelPair pair = ModelPair.load(autoencoderDir, modelDir, runtime.device());
    try {
      return new ScanExplainer(pair.autoencoder(), pair.model(), Objective.of(pair.model().manifest(), target),
          config, runtime, outputOptions);
    } catch (IllegalArgumentException e) {
      pair.close();
      throw new ModelLoadException(modelDir + ": " + e.getMessage(), e);
    }
  }

  /** The objective being explained. */
  public Objective objective() {
    return objective;
  }

  SliceAutoencoder autoencoder() {
    return autoencoder;
  }

  VolumeModel model() {
    return model;
  }

  ShiftConfig config() {
    return config;
  }

  TorchRuntime runtime() {
    return runtime;
  }

  Preprocessing preprocessing() {
    return preprocessing;
  }

  ExplanationWriter.Options outputOptions() {
    return outputOptions;
  }

  /** What one explanation produced: the model-space result and the report written with it. */
  public record Result(Explanation explanation, JsonObject report) {}

  /**
   * Explains one scan and writes every output into {@code outDir}, atomically: either all outputs
   * appear or none do.
   *
   * @param commandLine recorded in the report
   * @throws CtShiftException if the engine or writing fails
   */
  public Result explain(Scan scan, Path outDir, String commandLine, Consumer<String> progress)
      throws CtShiftException {
    return explain(scan, outDir, commandLine, progress, InputPolicy.DEFAULT, progress);
  }

  /**
   * {@link #explain(Scan, Path, String, Consumer)}, and checks how well the autoencoder reconstructs the
   * scan ({@link ReconstructionCheck}, recorded in the report): far below its held-out figure is a
   * warning, or with {@link InputPolicy#strict()} a refusal. The scan itself is checked by
   * {@link dev.ctshift.io.sanity.ScanCheck} before (the callers do, before loading anything).
   *
   * @param warnings receives one-line warnings meant for the user even when progress is quiet
   * @throws dev.ctshift.io.sanity.InputRefusedException with {@code --strict}, for a scan the autoencoder
   *     does not know
   * @throws ModelLoadException if the model's output does not have the shape its manifest promises
   * @throws CtShiftException if the engine fails, a score is not finite, memory runs out, or writing fails
   */
  public Result explain(Scan scan, Path outDir, String commandLine, Consumer<String> progress, InputPolicy policy,
      Consumer<String> warnings) throws CtShiftException {
    long started = System.nanoTime();
    Map<String, Double> seconds = new LinkedHashMap<>();
    Preprocessing.Prepared prepared = prepare(scan, seconds, progress, warnings);
    Volume x = prepared.volume();
    double[] range = model.manifest().input().range();
    Explanation e;
    try (NDManager manager = runtime.newManager()) {
      e = new LatentShiftExplainer(autoencoder, model, objective, config)
          .explain(manager, x.data(), x.nz(), x.ny(), x.nx(), (float) range[0], (float) range[1], progress);
    } catch (ModelOutputException ex) {
      throw modelOutputError(ex);
    } catch (RuntimeException ex) {
      throw new CtShiftException(scan.source() + ": the explanation failed: " + ex.getMessage(), ex);
    } catch (OutOfMemoryError ex) {
      throw new CtShiftException(scan.source() + ": " + OutOfMemory.advice(ex), ex);
    }
    seconds.putAll(e.seconds());
    JsonObject reconstruction = check(scan, e, policy, warnings);
    if (e.search().reason() == StopReason.ALREADY_AT_TARGET) {
      // Nothing was shifted: the scan is its own answer, so only the report (with its scores) is written.
      JsonObject report = report(scan, prepared, objective, e, commandLine);
      report.add("reconstruction", reconstruction);
      try (StagedOutput out = StagedOutput.into(outDir)) {
        report.add("seconds", timings(seconds, started));
        report.addProperty("peak_rss_mib", Json.round(ProcessMemory.peakRssMiB()));
        ExplanationWriter.writeJson(out, report);
        out.commit();
      }
      progress.accept(String.format("%s: %s %.4f: already at the target, nothing shifted; report in %s",
          scan.source().getFileName(), objective.describe(), e.scanScore(), outDir));
      return new Result(e, report);
    }
    Written w;
    try (StagedOutput out = StagedOutput.into(outDir)) {
      w = write(out, outDir, scan, prepared, objective, e, reconstruction, commandLine, seconds, started, progress);
      out.commit();
    }
    progress.accept(String.format("%s: %s %.4f -> %.4f (%s), outputs in %s", scan.source().getFileName(),
        objective.describe(), e.original().score(), e.counterfactual().score(), e.search().reason().label(), outDir));
    return new Result(e, w.report());
  }

  /** Preprocesses the scan as the model's manifest says, timing it into {@code seconds}. */
  Preprocessing.Prepared prepare(Scan scan, Map<String, Double> seconds, Consumer<String> progress,
      Consumer<String> warnings) {
    long t = System.nanoTime();
    Preprocessing.Prepared prepared = preprocessing.prepare(scan.hu());
    seconds.put("preprocess", (System.nanoTime() - t) / 1e9);
    progress.accept("model space: " + prepared.volume() + " (" + String.join(", ", prepared.steps()) + ")");
    int minDepth = model.manifest().input().minDepth();
    if (prepared.unpaddedDepth() < minDepth) {
      warnings.accept("ctshift: warning: " + scan.source() + ": the scan gives " + prepared.unpaddedDepth()
          + " slice(s) on the model's grid, fewer than the " + minDepth + " it needs; padded with air to "
          + prepared.volume().nz() + ", so the model sees mostly padding");
    }
    return prepared;
  }

  /** A model output of the wrong shape is the model's fault: reported as a model that cannot be used. */
  ModelLoadException modelOutputError(ModelOutputException ex) {
    return new ModelLoadException(model.manifest().directory() + ": " + ex.getMessage(), ex);
  }

  /**
   * Checks an explanation before anything is written: its scores must be finite, and the autoencoder's
   * reconstruction of the scan is compared with its held-out figure (a warning, or with {@code --strict}
   * a refusal).
   *
   * @return the reconstruction figures, for the report
   */
  JsonObject check(Scan scan, Explanation e, InputPolicy policy, Consumer<String> warnings)
      throws CtShiftException {
    requireFiniteScores(scan, e);
    double[] range = model.manifest().input().range();
    ReconstructionCheck fit = ReconstructionCheck.of(e, range[0], range[1], bodyThreshold(),
        autoencoder.manifest().heldOutPsnrDb());
    if (fit.farBelowHeldOut()) {
      if (policy.strict()) {
        throw new InputRefusedException(fit.warning(scan.source().toString()) + "; refused (--strict)");
      }
      warnings.accept("ctshift: warning: " + fit.warning(scan.source().toString()));
    }
    return fit.toJson();
  }

  /** Scores that are not finite mean the model broke on this input: nothing is written. */
  private void requireFiniteScores(Scan scan, Explanation e) throws CtShiftException {
    boolean finite = Double.isFinite(e.scanScore()) && Double.isFinite(e.reconstructionScore())
        && e.frames().stream().allMatch(f -> Double.isFinite(f.score()));
    if (!finite) {
      throw new CtShiftException(scan.source() + ": the model " + model.manifest().name() + " returned a score that"
          + " is not a finite number (scan " + e.scanScore() + ", reconstruction " + e.reconstructionScore()
          + "); no outputs written: check the model on this input");
    }
  }

  /** The model-space value of -500 HU: above it lies the body (denser than lung). */
  private double bodyThreshold() {
    ModelManifest.Input in = model.manifest().input();
    double t = (-500 - in.huWindow()[0]) / (in.huWindow()[1] - in.huWindow()[0]);
    return in.range()[0] + Math.min(1, Math.max(0, t)) * (in.range()[1] - in.range()[0]);
  }

  /**
   * What writing one explanation produced: its report (with the slices added by the writer) and the
   * counterfactual on the scan's grid.
   */
  record Written(JsonObject report, JsonObject slices, Volume counterfactualHu) {}

  /**
   * Maps one explanation back onto the scan and writes its outputs into {@code out} (not committed).
   *
   * @param shownDir where the outputs will be, for the progress line
   * @param reconstruction the figures of {@link #check}, recorded in the report
   * @param seconds stage times so far; the report's timing adds compose and the total since {@code started}
   */
  Written write(StagedOutput out, Path shownDir, Scan scan, Preprocessing.Prepared prepared, Objective target,
      Explanation e, JsonObject reconstruction, String commandLine, Map<String, Double> seconds, long started,
      Consumer<String> progress) throws CtShiftException {
    long t = System.nanoTime();
    progress.accept("mapping " + e.frames().size() + " frames back to the scan grid and writing outputs to "
        + shownDir);
    ScanSpaceMapper mapper = new ScanSpaceMapper(prepared, scan.hu());
    List<Volume> framesHu = new ArrayList<>();
    List<Double> frameScores = new ArrayList<>();
    for (Explanation.Frame f : e.frames()) {
      framesHu.add(mapper.frameHu(f.values()));
      frameScores.add(f.score());
    }
    Volume heatmapHu = mapper.changeHu(e.heatmap());
    JsonObject report = report(scan, prepared, target, e, commandLine);
    report.add("reconstruction", reconstruction);
    ExplanationWriter.Content content = new ExplanationWriter.Content(scan.hu(), framesHu.get(0), heatmapHu,
        framesHu, frameScores, target.name(), scan.integerValued(), scan.dicom(),
        "ctshift counterfactual: " + model.manifest().name() + ", " + target.name());
    seconds.put("compose", (System.nanoTime() - t) / 1e9);
    JsonObject timing = new JsonObject();
    seconds.forEach((k, v) -> timing.addProperty(k, Json.round(v)));
    timing.addProperty("total", Json.round((System.nanoTime() - started) / 1e9));
    report.add("seconds", timing);
    report.addProperty("peak_rss_mib", Json.round(ProcessMemory.peakRssMiB()));
    JsonObject slices = new ExplanationWriter(outputOptions).write(out, content, report);
    return new Written(report, slices, framesHu.get(0));
  }

  private JsonObject report(Scan scan, Preprocessing.Prepared prepared, Objective objective, Explanation e,
      String commandLine) throws CtShiftException {
    JsonObject r = new JsonObject();
    r.addProperty("tool", "ctshift");
    r.addProperty("version", VersionProvider.version());
    r.addProperty("created", Instant.now().toString());
    r.addProperty("command_line", commandLine);

    JsonObject input = new JsonObject();
    input.addProperty("path", scan.source().toString());
    input.addProperty("format", scan.format().name().toLowerCase(java.util.Locale.ROOT));
    input.addProperty("description", scan.description());
    input.add("dims", Json.array(scan.hu().dims()));
    input.add("spacing_mm", Json.array(scan.hu().spacing(), 4));
    input.addProperty("orientation", scan.hu().orientation());
    input.add("model_space_dims", Json.array(prepared.volume().dims()));
    input.add("preprocessing", Json.array(prepared.steps()));
    r.add("input", input);

    JsonObject models = new JsonObject();
    models.add("autoencoder", describe(autoencoder.manifest()));
    models.add("model", describe(model.manifest()));
    r.add("models", models);

    JsonObject target = new JsonObject();
    target.addProperty("name", objective.name());
    target.addProperty("index", objective.index());
    target.addProperty("score", objective.describe());
    target.addProperty("direction", config.direction().name().toLowerCase(java.util.Locale.ROOT));
    r.add("target", target);

    JsonObject engine = new JsonObject();
    engine.addProperty("device", runtime.device().toString());
    engine.addProperty("convolutions", runtime.convolutionPath());
    engine.addProperty("gradient_self_test_relative_error", Json.round(runtime.selfTestError()));
    engine.addProperty("config", config.toString());
    r.add("engine", engine);

    JsonObject scores = new JsonObject();
    scores.addProperty("scan", Json.round(e.scanScore()));
    scores.addProperty("reconstruction", Json.round(e.reconstructionScore()));
    scores.addProperty("reconstruction_gap", Json.round(e.reconstructionGap()));
    scores.addProperty("lambda_zero_frame", Json.round(e.original().score()));
    scores.addProperty("counterfactual", Json.round(e.counterfactual().score()));
    r.add("scores", scores);

    JsonObject search = new JsonObject();
    search.addProperty("strategy", config.search().name().toLowerCase(java.util.Locale.ROOT));
    search.addProperty("composition", config.composition().name().toLowerCase(java.util.Locale.ROOT));
    search.addProperty("focus", config.focus());
    search.addProperty("lambda_star", Json.round(e.search().lambdaStar()));
    if (config.search() != dev.ctshift.shift.ShiftConfig.Search.REFERENCE) {
      // The score the adaptive search aimed for (the reference schedule has its own fixed rule).
      search.addProperty("target_score", Json.round(new LatentShiftExplainer(autoencoder, model, objective, config)
          .targetScore(e.search().trace().get(0).score())));
    }
    search.addProperty("stop_reason", e.search().reason().label());
    search.addProperty("evaluations", e.search().evaluations());
    search.addProperty("sweep_evaluations", e.sweepEvaluations());
    search.addProperty("latent_gradient_norm", Json.round(e.gradientNorm()));
    search.addProperty("restarts_allowed", config.restarts());
    search.addProperty("method", ExplanationMethod.of(config).map(ExplanationMethod::label).orElse("custom"));
    search.addProperty("search_budget", config.searchBudget());
    search.addProperty("path", e.path());
    search.addProperty("gradients", e.gradients());
    JsonArray legs = new JsonArray();
    for (Explanation.Leg leg : e.legs()) {
      JsonObject o = new JsonObject();
      o.addProperty("from_lambda", Json.round(leg.fromLambda()));
      o.addProperty("stop_reason", leg.reason().label());
      o.addProperty("evaluations", leg.evaluations());
      o.addProperty("path", leg.attempt());
      legs.add(o);
    }
    search.add("legs", legs);
    JsonArray gradientsAt = new JsonArray();
    e.gradientsAt().forEach(l -> gradientsAt.add(Json.round(l)));
    search.add("gradients_at_lambda", gradientsAt);
    JsonArray steps = new JsonArray();
    for (Step s : e.search().trace()) {
      JsonObject o = new JsonObject();
      o.addProperty("lambda", Json.round(s.lambda()));
      o.addProperty("score", Json.round(s.score()));
      o.addProperty("relative_change", Json.round(s.change()));
      steps.add(o);
    }
    search.add("steps", steps);
    r.add("search", search);

    JsonArray sweep = new JsonArray();
    for (Explanation.Frame f : e.frames()) {
      JsonObject o = new JsonObject();
      o.addProperty("lambda", Json.round(f.lambda()));
      o.addProperty("score", Json.round(f.score()));
      sweep.add(o);
    }
    r.add("sweep", sweep);
    r.addProperty("heatmap", config.heatmap().name().toLowerCase(java.util.Locale.ROOT));
    return r;
  }

  private static JsonObject timings(Map<String, Double> seconds, long started) {
    JsonObject timing = new JsonObject();
    seconds.forEach((k, v) -> timing.addProperty(k, Json.round(v)));
    timing.addProperty("total", Json.round((System.nanoTime() - started) / 1e9));
    return timing;
  }

  private static JsonObject describe(ModelManifest m) throws CtShiftException {
    JsonObject o = new JsonObject();
    o.addProperty("name", m.name());
    o.addProperty("directory", m.directory().toString());
    o.addProperty("kind", m.kind().name().toLowerCase(java.util.Locale.ROOT));
    o.addProperty("format", m.format().name().toLowerCase(java.util.Locale.ROOT));
    JsonObject hashes = new JsonObject();
    for (String key : m.files().keySet()) {
      try {
        hashes.addProperty(m.files().get(key), FileHashes.sha256(m.file(key)));
      } catch (IOException e) {
        throw new CtShiftException(m.file(key) + ": cannot read to hash it: " + e.getMessage(), e);
      }
    }
    o.add("sha256", hashes);
    return o;
  }

  @Override
  public void close() {
    model.close();
    autoencoder.close();
  }
}
