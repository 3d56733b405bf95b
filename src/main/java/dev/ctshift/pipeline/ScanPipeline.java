package dev.ctshift.pipeline;

import ai.djl.ndarray.NDManager;
import dev.ctshift.CtShiftException;
import dev.ctshift.compose.ScanSpaceMapper;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelOutputException;
import dev.ctshift.model.ModelPair;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.shift.EncodedVolume;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.LatentShiftExplainer;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The one path of a scan through ctshift, with an autoencoder and a model loaded once: preprocess
 * (the model's manifest) → engine (Latent Shift in model space) → compose (back onto the scan's grid
 * in HU). Explain and batch ({@link ScanExplainer}, {@link MultiTargetExplainer}), evaluate and the
 * benchmark all run their scans through here; they differ only in what they do with the result.
 * Reading and checking the scan happen before, at the input boundary, so a bad file is refused before
 * any model loads.
 *
 * <pre>{@code
 * try (ScanPipeline p = ScanPipeline.load(aeDir, modelDir, "effusion", runtime)) {
 *   Preprocessing.Prepared prepared = p.preprocess(scan.hu());
 *   Explanation e = p.explain(prepared.volume(), config, System.err::println);
 *   Volume counterfactual = p.compose(prepared, scan.hu(), e).counterfactualHu();
 * }
 * }</pre>
 */
public final class ScanPipeline implements AutoCloseable {
  private final SliceAutoencoder autoencoder;
  private final VolumeModel model;
  private final Objective objective;
  private final TorchRuntime runtime;
  private final Preprocessing preprocessing;
  private final float low;
  private final float high;

  private ScanPipeline(ModelPair pair, Objective objective, TorchRuntime runtime) {
    this.autoencoder = pair.autoencoder();
    this.model = pair.model();
    this.objective = objective;
    this.runtime = runtime;
    this.preprocessing = model.manifest().input().preprocessing();
    double[] range = model.manifest().input().range();
    this.low = (float) range[0];
    this.high = (float) range[1];
  }

  /**
   * Loads both models and checks that they fit together.
   *
   * @param target output or class name or index; null for the model's default
   * @throws ModelLoadException if a model does not load, the two disagree on input size or intensity,
   *     or the target is unknown
   */
  public static ScanPipeline load(Path autoencoderDir, Path modelDir, String target, TorchRuntime runtime)
      throws ModelLoadException {
    ModelPair pair = ModelPair.load(autoencoderDir, modelDir, runtime.device());
    try {
      return new ScanPipeline(pair, Objective.of(pair.model().manifest(), target), runtime);
    } catch (IllegalArgumentException e) {
      pair.close();
      throw new ModelLoadException(modelDir + ": " + e.getMessage(), e);
    }
  }

  /** The objective named when loading. */
  public Objective objective() {
    return objective;
  }

  public SliceAutoencoder autoencoder() {
    return autoencoder;
  }

  public VolumeModel model() {
    return model;
  }

  public TorchRuntime runtime() {
    return runtime;
  }

  /** Preprocess: the scan on the model's grid and in its intensity range, as its manifest says. */
  public Preprocessing.Prepared preprocess(Volume scanHu) {
    return preprocessing.prepare(scanHu);
  }

  /**
   * Engine: Latent Shift of a model-space volume for {@link #objective()}, in arrays released before
   * returning.
   *
   * @param x a volume in the model's space and intensity range, e.g. {@link #preprocess}'s
   */
  public Explanation explain(Volume x, ShiftConfig config, Consumer<String> progress) {
    return explain(x, config, (stage, seconds) -> { }, progress);
  }

  /**
   * {@link #explain(Volume, ShiftConfig, Consumer)}, calling {@code stages} with each stage's name and
   * seconds as it ends (the benchmark measures memory per stage with it).
   */
  public Explanation explain(Volume x, ShiftConfig config, BiConsumer<String, Double> stages,
      Consumer<String> progress) {
    try (NDManager manager = runtime.newManager()) {
      return new LatentShiftExplainer(autoencoder, model, objective, config).withStageListener(stages)
          .explain(manager, x.data(), x.nz(), x.ny(), x.nx(), low, high, progress);
    }
  }

  /** Engine, first half: the slice latents of {@code x}, made once for several objectives. */
  public EncodedVolume encode(NDManager manager, Volume x, ShiftConfig config, Consumer<String> progress) {
    return EncodedVolume.encode(autoencoder, manager, x.data(), x.nz(), x.ny(), x.nx(), config.encodeBatch(),
        progress);
  }

  /** Engine, second half: Latent Shift for {@code target} on a volume {@link #encode}d before. */
  public Explanation explain(EncodedVolume encoded, Objective target, ShiftConfig config,
      Consumer<String> progress) {
    return new LatentShiftExplainer(autoencoder, model, target, config).explain(encoded, low, high, progress);
  }

  /** Compose: the explanation of {@code prepared} on the grid and in the HU of {@code scanHu}. */
  public OnScan compose(Preprocessing.Prepared prepared, Volume scanHu, Explanation e) {
    return new OnScan(new ScanSpaceMapper(prepared, scanHu), e);
  }

  /**
   * An explanation on the scan's grid, in HU. Each volume is mapped when asked for (a new volume at
   * every call), so a caller that needs only the counterfactual maps no other frame.
   */
  public record OnScan(ScanSpaceMapper mapper, Explanation explanation) {
    /** The counterfactual, the frame at λ*. */
    public Volume counterfactualHu() {
      return mapper.frameHu(explanation.counterfactual().values());
    }

    /** Every sweep frame, from λ* to λ = 0, mapped as it is read: see {@link #framesHu(Volume)}. */
    public List<Volume> framesHu() {
      return framesHu(counterfactualHu());
    }

    /**
     * Every sweep frame, from λ* to λ = 0, as a view that maps a frame each time it is read, with
     * {@code counterfactualHu} as frame 0: a caller holds only the frames it keeps. All of them at once
     * would be as large again as the model-space frames (10 × 27 MB at 224×224×134).
     */
    public List<Volume> framesHu(Volume counterfactualHu) {
      List<Explanation.Frame> frames = explanation.frames();
      return new AbstractList<>() {
        @Override
        public Volume get(int i) {
          return i == 0 ? counterfactualHu : mapper.frameHu(frames.get(i).values());
        }

        @Override
        public int size() {
          return frames.size();
        }
      };
    }

    /**
     * {@link #framesHu(Volume)} for a writer that reads each frame once: reading a frame takes its
     * model-space volume from the explanation ({@link Explanation#takeFrameValues}), so that at most the
     * frames not yet written are held, not all ten (270 MB at 224×224×134). A frame read twice fails.
     */
    public List<Volume> takeFramesHu(Volume counterfactualHu) {
      return new AbstractList<>() {
        @Override
        public Volume get(int i) {
          float[] values = explanation.takeFrameValues(i);
          return i == 0 ? counterfactualHu : mapper.frameHuOverwriting(values);
        }

        @Override
        public int size() {
          return explanation.frames().size();
        }
      };
    }

    public Volume heatmapHu() {
      return mapper.changeHu(explanation.heatmap());
    }
  }

  /**
   * What an engine failure on {@code source} tells the user: a model output of the wrong shape is the
   * model's fault (a model that cannot be used), running out of memory comes with remedies, anything
   * else names the scan.
   */
  CtShiftException failure(Path source, Throwable ex) {
    if (ex instanceof ModelOutputException) {
      return new ModelLoadException(model.manifest().directory() + ": " + ex.getMessage(), ex);
    }
    if (ex instanceof OutOfMemoryError oom) {
      return new CtShiftException(source + ": " + OutOfMemory.advice(oom), ex);
    }
    return new CtShiftException(source + ": the explanation failed: " + ex.getMessage(), ex);
  }

  @Override
  public void close() {
    model.close();
    autoencoder.close();
  }
}
