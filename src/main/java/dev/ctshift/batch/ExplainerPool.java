package dev.ctshift.batch;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.pipeline.MultiTargetExplainer;
import dev.ctshift.pipeline.ScanExplainer;
import dev.ctshift.pipeline.TargetSelection;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.shift.ShiftConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link ScanExplainer} per single target (one for all multi-target runs), loaded on first use and kept for the whole batch. The engine
 * starts on first use too, so a rerun with nothing left to do loads nothing. Owns the explainers:
 * {@link #close()} closes them.
 */
public final class ExplainerPool implements AutoCloseable {
  /** Starts the engine (e.g. {@code () -> TorchRuntime.start("cpu", log)}). */
  public interface RuntimeStarter {
    TorchRuntime start() throws CtShiftException;
  }

  private final Path autoencoderDir;
  private final Path modelDir;
  private final TargetSelection defaultTargets;
  private final ShiftConfig config;
  private final ExplanationWriter.Options output;
  private final RuntimeStarter starter;
  private final Map<String, ScanExplainer> loaded = new HashMap<>();
  private final Map<String, ModelLoadException> failed = new HashMap<>();
  private TorchRuntime runtime;

  /**
   * @param defaultTargets targets of scans that name none
   */
  public ExplainerPool(Path autoencoderDir, Path modelDir, TargetSelection defaultTargets, ShiftConfig config,
      ExplanationWriter.Options output, RuntimeStarter starter) {
    this.autoencoderDir = autoencoderDir;
    this.modelDir = modelDir;
    this.defaultTargets = defaultTargets;
    this.config = config;
    this.output = output;
    this.starter = starter;
  }

  /** The targets of scans that name none. */
  public TargetSelection defaultTargets() {
    return defaultTargets;
  }

  /**
   * Starts the engine and loads the models for the default targets.
   *
   * @throws CtShiftException if the engine does not start, the models do not load or the default
   *     targets are not outputs of the model: nothing could be explained, so the batch stops
   */
  public ScanExplainer defaultExplainer() throws CtShiftException {
    if (defaultTargets.isSingle()) {
      return explainer(defaultTargets.single());
    }
    ScanExplainer models = explainer((String) null);
    MultiTargetExplainer.of(models, defaultTargets);
    return models;
  }

  /**
   * The explainer for one {@code target} (null: the model's default output).
   *
   * @throws ModelLoadException if the target is not an output of the model (remembered: not retried)
   */
  public ScanExplainer explainer(String target) throws CtShiftException {
    String key = target != null ? target : "";
    ScanExplainer e = loaded.get(key);
    if (e != null) {
      return e;
    }
    if (failed.containsKey(key)) {
      throw failed.get(key);
    }
    if (runtime == null) {
      runtime = starter.start();
    }
    try {
      e = ScanExplainer.load(autoencoderDir, modelDir, target, config, runtime, output);
    } catch (ModelLoadException ex) {
      failed.put(key, ex);
      throw ex;
    }
    loaded.put(key, e);
    return e;
  }

  /**
   * The explainer of several targets.
   *
   * @throws ModelLoadException if a target is not an output of the model, or the selection does not
   *     apply to it
   */
  public MultiTargetExplainer multiExplainer(TargetSelection targets) throws CtShiftException {
    return MultiTargetExplainer.of(explainer((String) null), targets);
  }

  @Override
  public void close() {
    loaded.values().forEach(ScanExplainer::close);
    loaded.clear();
  }
}
