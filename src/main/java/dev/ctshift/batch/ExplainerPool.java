package dev.ctshift.batch;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.pipeline.ScanExplainer;
import dev.ctshift.report.ExplanationWriter;
import dev.ctshift.shift.ShiftConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link ScanExplainer} per target, loaded on first use and kept for the whole batch. The engine
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
  private final String defaultTarget;
  private final ShiftConfig config;
  private final ExplanationWriter.Options output;
  private final RuntimeStarter starter;
  private final Map<String, ScanExplainer> loaded = new HashMap<>();
  private final Map<String, ModelLoadException> failed = new HashMap<>();
  private TorchRuntime runtime;

  /**
   * @param defaultTarget target of scans that name none; null for the model's default
   */
  public ExplainerPool(Path autoencoderDir, Path modelDir, String defaultTarget, ShiftConfig config,
      ExplanationWriter.Options output, RuntimeStarter starter) {
    this.autoencoderDir = autoencoderDir;
    this.modelDir = modelDir;
    this.defaultTarget = defaultTarget;
    this.config = config;
    this.output = output;
    this.starter = starter;
  }

  /**
   * Starts the engine and loads the models for the default target.
   *
   * @throws CtShiftException if the engine does not start or the models do not load: nothing could be
   *     explained, so the batch stops
   */
  public ScanExplainer defaultExplainer() throws CtShiftException {
    return explainer(null);
  }

  /**
   * The explainer for {@code target} (null: the default target).
   *
   * @throws ModelLoadException if the target is not an output of the model (remembered: not retried)
   */
  public ScanExplainer explainer(String target) throws CtShiftException {
    String key = target != null ? target : defaultTarget;
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
      e = ScanExplainer.load(autoencoderDir, modelDir, key, config, runtime, output);
    } catch (ModelLoadException ex) {
      failed.put(key, ex);
      throw ex;
    }
    loaded.put(key, e);
    return e;
  }

  @Override
  public void close() {
    loaded.values().forEach(ScanExplainer::close);
    loaded.clear();
  }
}
