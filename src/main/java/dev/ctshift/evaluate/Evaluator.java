package dev.ctshift.evaluate;

import ai.djl.ndarray.NDManager;
import dev.ctshift.CtShiftException;
import dev.ctshift.compose.ScanSpaceMapper;
import dev.ctshift.engine.ProcessMemory;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.pipeline.ScanPipeline;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.GradientSaliency;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.shift.StopReason;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates explanation methods on one scan at a time against the mask of its finding, with models
 * loaded once. Scans take the path {@code ctshift explain} takes ({@link ScanPipeline}), and every map is
 * compared with the mask on the scan's own grid: the counterfactual as {@code cf - scan} in HU and the
 * heatmap as composed there, the saliency by inverting the spatial preprocessing steps.
 *
 * <pre>{@code
 * try (Evaluator ev = Evaluator.load(aeDir, modelDir, "effusion", settings, runtime)) {
 *   List<ScanRow> rows = ev.evaluate("case_01", scanHu, mask);
 * }
 * }</pre>
 */
public final class Evaluator implements AutoCloseable {
  /**
   * What is evaluated and how.
   *
   * @param methods the methods, in report order (Latent Shift configurations, and/or the baseline)
   * @param engine the engine settings shared by all configurations (composition and search are
   *     replaced per method; the direction must be LOWER)
   * @param dilateMm radius in mm by which the mask is grown for shares and proximity
   * @param threshold decision threshold on the score; null for the manifest's threshold of a
   *     classifier probability (no validity is computed for other scores)
   */
  public record Settings(List<Method> methods, ShiftConfig engine, double dilateMm, Double threshold) {
    public Settings {
      methods = List.copyOf(methods);
      if (methods.isEmpty()) {
        throw new IllegalArgumentException("nothing to evaluate: give at least one configuration or the baseline");
      }
      if (engine.direction() != ShiftConfig.Direction.LOWER) {
        throw new IllegalArgumentException("evaluation explains a finding by lowering its score");
      }
      if (!(dilateMm >= 0)) {
        throw new IllegalArgumentException("the dilation must be >= 0 mm, got " + dilateMm);
      }
    }
  }

  private final ScanPipeline pipeline;
  private final Settings settings;
  private final double threshold;

  private Evaluator(ScanPipeline pipeline, Settings settings) {
    this.pipeline = pipeline;
    this.settings = settings;
    Objective objective = pipeline.objective();
    this.threshold = settings.threshold() != null ? settings.threshold()
        : objective.isClassifierProbability() ? objective.threshold() : Double.NaN;
  }

  /**
   * Loads both models once.
   *
   * @param target output or class name or index; null for the model's default
   * @throws ModelLoadException if a model does not load, the two do not fit together, or the target
   *     is unknown
   */
  public static Evaluator load(Path autoencoderDir, Path modelDir, String target, Settings settings,
      TorchRuntime runtime) throws ModelLoadException {
    return new Evaluator(ScanPipeline.load(autoencoderDir, modelDir, target, runtime), settings);
  }

  public Objective objective() {
    return pipeline.objective();
  }

  /** The decision threshold used for validity, NaN if none applies. */
  public double threshold() {
    return threshold;
  }

  /**
   * Runs every method on one scan and measures it against the mask.
   *
   * @param scanHu the scan in HU on its own grid (not modified)
   * @param mask the finding's voxels on the scan's grid ({@code i + nx * (j + ny * k)})
   * @return one row per method, in the order of {@link Settings#methods()}
   * @throws CtShiftException naming the scan if the engine fails
   */
  public List<ScanRow> evaluate(String id, Volume scanHu, boolean[] mask) throws CtShiftException {
    Preprocessing.Prepared prepared = pipeline.preprocess(scanHu);
    boolean[] dilated = MaskDilation.dilate(mask, scanHu.nx(), scanHu.ny(), scanHu.nz(), scanHu.spacing(),
        settings.dilateMm());
    Geometry g = new Geometry(id, mask, MapMetrics.count(mask), dilated, MapMetrics.count(dilated));
    List<ScanRow> rows = new ArrayList<>();
    double[] scores = {Double.NaN, Double.NaN};
    for (Method m : settings.methods()) {
      try {
        if (m.isSaliency()) {
          rows.add(saliency(g, prepared, scores));
        } else {
          ScanRow row = latentShift(m, g, prepared, scanHu);
          scores[0] = row.scanScore();
          scores[1] = row.reconstructionScore();
          rows.add(row);
        }
      } catch (RuntimeException e) {
        throw new CtShiftException(id + ": " + m.label() + " failed: " + e.getMessage(), e);
      }
    }
    return rows;
  }

  private record Geometry(String id, boolean[] mask, int maskVoxels, boolean[] dilated, int dilatedVoxels) {}

  private ScanRow latentShift(Method m, Geometry g, Preprocessing.Prepared prepared, Volume scanHu) {
    ProcessMemory.resetPeak();
    long start = System.nanoTime();
    Explanation e = pipeline.explain(prepared.volume(), m.configure(settings.engine()), s -> { });
    double seconds = (System.nanoTime() - start) / 1e9;
    double peak = ProcessMemory.peakRssMiB();
    ScanPipeline.OnScan onScan = pipeline.compose(prepared, scanHu, e);
    float[] delta = ScanSpaceMapper.difference(onScan.counterfactualHu(), scanHu).data();
    float[] heatmap = onScan.heatmapHu().data();
    double cf = e.counterfactual().score();
    // A scan already at the target was not explained: it counts neither for nor against validity.
    boolean explained = e.search().reason() != StopReason.ALREADY_AT_TARGET;
    double crossed = Double.isNaN(threshold) || e.scanScore() <= threshold || !explained ? Double.NaN
        : cf <= threshold ? 1 : 0;
    double reached = !explained ? Double.NaN : e.search().reason() == StopReason.REACHED_TARGET ? 1 : 0;
    return new ScanRow(g.id(), m, g.maskVoxels(), g.dilatedVoxels(), e.scanScore(), e.reconstructionScore(), cf,
        threshold, crossed, e.search().reason().label(), reached,
        e.search().lambdaStar(), localised(MapMetrics.shareInside(delta, g.dilated()), g),
        localised(MapMetrics.shareInside(heatmap, g.dilated()), g), MapMetrics.topKIoU(heatmap, g.mask()),
        localised(MapMetrics.meanAbs(delta, g.dilated(), true), g), MapMetrics.meanAbs(delta, g.dilated(), false),
        e.evaluations(), e.search().evaluations(), seconds, peak, e.gradients());
  }

  private ScanRow saliency(Geometry g, Preprocessing.Prepared prepared, double[] scores) {
    Volume x = prepared.volume();
    ProcessMemory.resetPeak();
    long start = System.nanoTime();
    float[] saliency;
    try (NDManager manager = pipeline.runtime().newManager()) {
      saliency = GradientSaliency.of(pipeline.model(), pipeline.objective(), manager, x.data(), x.nz(), x.ny(),
          x.nx());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double peak = ProcessMemory.peakRssMiB();
    float[] onScan = prepared.toScanGrid(x.withData(saliency)).data();
    double nan = Double.NaN;
    return new ScanRow(g.id(), Method.SALIENCY, g.maskVoxels(), g.dilatedVoxels(), scores[0], scores[1], nan,
        threshold, nan, null, nan, nan, nan, localised(MapMetrics.shareInside(onScan, g.dilated()), g),
        MapMetrics.topKIoU(onScan, g.mask()), nan, nan, 0, 0, seconds, peak, 0);
  }

  /** Localisation is only defined for a finding that is there: NaN for an empty mask. */
  private static double localised(double value, Geometry g) {
    return g.maskVoxels() > 0 ? value : Double.NaN;
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
