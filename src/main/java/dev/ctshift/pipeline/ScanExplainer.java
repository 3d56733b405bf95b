package dev.ctshift.pipeline;

import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.Scan;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.io.sanity.InputRefusedException;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.report.ExplanationReport;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.report.StagedOutput;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.shift.StopReason;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Explains scans with one loaded autoencoder and model and writes the outputs: the {@link ScanPipeline}
 * (preprocess → engine → compose), checks of the result, then {@link ExplanationWriter} with the
 * {@link ExplanationReport}, all or nothing. Models are loaded once and reused for every scan (batch runs).
 *
 * <pre>{@code
 * try (ScanExplainer explainer = ScanExplainer.load(aeDir, modelDir, "effusion", config, runtime, options)) {
 *   explainer.explain(scan, outDir, commandLine, System.err::println);
 * }
 * }</pre>
 */
public final class ScanExplainer implements AutoCloseable {
  private final ScanPipeline pipeline;
  private final ShiftConfig config;
  private final ExplanationWriter.Options outputOptions;

  private ScanExplainer(ScanPipeline pipeline, ShiftConfig config, ExplanationWriter.Options outputOptions) {
    this.pipeline = pipeline;
    this.config = config;
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
    return new ScanExplainer(ScanPipeline.load(autoencoderDir, modelDir, target, runtime), config, outputOptions);
  }

  /** The objective being explained. */
  public Objective objective() {
    return pipeline.objective();
  }

  ScanPipeline pipeline() {
    return pipeline;
  }

  ShiftConfig config() {
    return config;
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
    Objective objective = pipeline.objective();
    Explanation e;
    try {
      e = pipeline.explain(prepared.volume(), config, progress);
    } catch (RuntimeException | OutOfMemoryError ex) {
      throw pipeline.failure(scan.source(), ex);
    }
    seconds.putAll(e.seconds());
    JsonObject reconstruction = check(scan, e, policy, warnings);
    if (e.search().reason() == StopReason.ALREADY_AT_TARGET) {
      // Nothing was shifted: the scan is its own answer, so only the report (with its scores) is written.
      JsonObject report = ExplanationReport.of(subject(scan, prepared, objective, commandLine), e, reconstruction,
          seconds, started);
      try (StagedOutput out = StagedOutput.into(outDir)) {
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
    Preprocessing.Prepared prepared = pipeline.preprocess(scan.hu());
    seconds.put("preprocess", (System.nanoTime() - t) / 1e9);
    progress.accept("model space: " + prepared.volume() + " (" + String.join(", ", prepared.steps()) + ")");
    int minDepth = manifest().input().minDepth();
    if (prepared.unpaddedDepth() < minDepth) {
      warnings.accept("ctshift: warning: " + scan.source() + ": the scan gives " + prepared.unpaddedDepth()
          + " slice(s) on the model's grid, fewer than the " + minDepth + " it needs; padded with air to "
          + prepared.volume().nz() + ", so the model sees mostly padding");
    }
    return prepared;
  }

  private ModelManifest manifest() {
    return pipeline.model().manifest();
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
    double[] range = manifest().input().range();
    ReconstructionCheck fit = ReconstructionCheck.of(e, range[0], range[1], bodyThreshold(),
        pipeline.autoencoder().manifest().heldOutPsnrDb());
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
      throw new CtShiftException(scan.source() + ": the model " + manifest().name() + " returned a score that"
          + " is not a finite number (scan " + e.scanScore() + ", reconstruction " + e.reconstructionScore()
          + "); no outputs written: check the model on this input");
    }
  }

  /** The model-space value of -500 HU: above it lies the body (denser than lung). */
  private double bodyThreshold() {
    ModelManifest.Input in = manifest().input();
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
    ScanPipeline.OnScan onScan = pipeline.compose(prepared, scan.hu(), e);
    Volume counterfactualHu = onScan.counterfactualHu();
    // Frames are mapped as the writer reads them, each letting go of its model-space volume, so that at
    // most one mapped frame besides the counterfactual is held and written frames are not held at all.
    ExplanationWriter.Content content = new ExplanationWriter.Content(scan.hu(), counterfactualHu, onScan.heatmapHu(),
        onScan.takeFramesHu(counterfactualHu), e.frames().stream().map(Explanation.Frame::score).toList(), target.name(), scan.integerValued(),
        scan.dicom(), "ctshift counterfactual: " + manifest().name() + ", " + target.name());
    seconds.put("compose", (System.nanoTime() - t) / 1e9);
    JsonObject report = ExplanationReport.of(subject(scan, prepared, target, commandLine), e, reconstruction, seconds,
        started);
    JsonObject slices = new ExplanationWriter(outputOptions).write(out, content, report);
    return new Written(report, slices, counterfactualHu);
  }

  private ExplanationReport.Subject subject(Scan scan, Preprocessing.Prepared prepared, Objective target,
      String commandLine) {
    return new ExplanationReport.Subject(scan, prepared, pipeline.autoencoder().manifest(), manifest(), target,
        config, pipeline.runtime(), commandLine);
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
