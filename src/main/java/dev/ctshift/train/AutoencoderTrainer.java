package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
import java.util.Arrays;
import java.util.Map;

/**
 * Trains a {@code slice-ae} to reconstruct 2D slices: loss MSE + {@code l1Weight} x L1. Validation
 * metrics: {@code psnr} (dB, data range 1) and {@code ssim} ({@link Metrics#ssim}), each the mean
 * over validation slices.
 *
 * <pre>{@code
 * try (AutoencoderTrainer t = new AutoencoderTrainer(config, SliceAe.DEFAULTS, 0)) {
 *   t.fit(SliceDataset.of(64, 64, slices), listener);
 *   t.save(outDir);
 * }
 * }</pre>
 */
public final class AutoencoderTrainer extends NetworkTrainer<SliceDataset, Batch> {
  private final SliceAe args;
  private final double l1Weight;

  /**
   * @param l1Weight weight of the L1 term, >= 0
   * @throws IllegalArgumentException on a negative weight
   */
  public AutoencoderTrainer(TrainConfig config, SliceAe args, double l1Weight) {
    super(config, args);
    this.args = args;
    if (!(l1Weight >= 0)) {
      throw new IllegalArgumentException("L1 weight must be >= 0, got " + l1Weight);
    }
    this.l1Weight = l1Weight;
  }

  @Override
  protected int size(SliceDataset data) {
    return data.size();
  }

  @Override
  protected void check(SliceDataset data) {
    int multiple = args.sizeMultiple();
    if (data.height() % multiple != 0 || data.width() % multiple != 0) {
      throw new IllegalArgumentException("slices are " + data.height() + "x" + data.width()
          + "; this autoencoder needs height and width multiples of " + multiple);
    }
  }

  @Override
  protected Batch batch(NDManager manager, SliceDataset data, int[] indices) {
    int plane = data.height() * data.width();
    float[] values = new float[indices.length * plane];
    for (int b = 0; b < indices.length; b++) {
      System.arraycopy(data.slice(indices[b]), 0, values, b * plane, plane);
    }
    NDArray x = manager.create(values, new Shape(indices.length, 1, data.height(), data.width()));
    return new Batch(x, x);
  }

  @Override
  protected NDArray loss(NDList output, Batch batch) {
    return Losses.reconstruction(output.singletonOrThrow(), batch.target(), l1Weight);
  }

  @Override
  protected String selectionMetric() {
    return "psnr";
  }

  @Override
  protected MetricAccumulator newMetrics(SliceDataset data) {
    return new MetricAccumulator() {
      private double psnr;
      private double ssim;
      private int count;

      @Override
      public void add(NDArray output, NDArray target) {
        int plane = data.height() * data.width();
        float[] out = output.toFloatArray();
        float[] ref = target.toFloatArray();
        for (int b = 0; b < out.length / plane; b++) {
          float[] o = Arrays.copyOfRange(out, b * plane, (b + 1) * plane);
          float[] r = Arrays.copyOfRange(ref, b * plane, (b + 1) * plane);
          psnr += Metrics.psnr(r, o, 1);
          ssim += Metrics.ssim(r, o, data.height(), data.width());
          count++;
        }
      }

      @Override
      public Map<String, Double> result() {
        Map<String, Double> m = ordered();
        m.put("psnr", psnr / count);
        m.put("ssim", ssim / count);
        return m;
      }
    };
  }

  @Override
  protected ModelManifestBuilder describe(SliceDataset data) {
    ModelManifestBuilder m = ModelManifest.builder().setName(SliceAe.ID)
        .optInput(inputOfSize(data.height(), data.width()));
    Double psnr = selectedReport() == null ? null : selectedReport().metrics().get("psnr");
    if (psnr != null && Double.isFinite(psnr)) {
      // What explain compares each scan's reconstruction with (pipeline.ReconstructionCheck).
      m.optHeldOutPsnrDb(Math.round(psnr * 100) / 100.0);
    }
    return m;
  }
}
