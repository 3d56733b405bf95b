package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.ctshift.model.djl.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@code classifier3d} on multi-label volumes with mean binary cross-entropy on the logits.
 * Validation metrics: {@code auc_<label>} (ROC AUC, {@link Metrics#rocAuc}; NaN if the validation
 * split lacks positives or negatives) and {@code auc_mean} over the defined ones.
 *
 * <p>When the data marks where findings are ({@link LabelledVolumes#hasRegions()}; {@code classmap}
 * head only), each such output's evidence map is also taught to be positive exactly in the cells
 * that hold its finding: a per-cell binary cross-entropy against the region max-pooled to the map's
 * grid, inside and outside the region weighted equally, times {@code regionWeight}, added to the
 * loss. The output's strongest evidence then lies on the finding; that its gradient with respect to
 * the scan is more local does not follow (measured in {@code models/PHANTOM-MODELS.md}).
 */
public final class ClassifierTrainer extends NetworkTrainer<LabelledVolumes> {
  private final double regionWeight;

  /**
   * @param architectureArgs {@code classifier3d} args; {@code outputs} must equal the number of
   *     labels of the data given to {@link #fit}
   * @throws IllegalArgumentException on invalid args
   */
  public ClassifierTrainer(TrainConfig config, JsonObject architectureArgs) {
    this(config, architectureArgs, 1);
  }

  /**
   * @param regionWeight weight of the evidence-map loss when the data has regions
   * @throws IllegalArgumentException on invalid args or a negative or non-finite weight
   */
  public ClassifierTrainer(TrainConfig config, JsonObject architectureArgs, double regionWeight) {
    super(config, Architecture.CLASSIFIER_3D, architectureArgs);
    if (!(regionWeight >= 0) || Double.isInfinite(regionWeight)) {
      throw new IllegalArgumentException("the region weight must be finite and at least 0, got " + regionWeight);
    }
    this.regionWeight = regionWeight;
  }

  @Override
  protected int size(LabelledVolumes data) {
    return data.volumes().size();
  }

  @Override
  protected void check(LabelledVolumes data) {
    int outputs = network().args().get("outputs").getAsInt();
    if (outputs != data.labelNames().size()) {
      throw new IllegalArgumentException("the classifier has " + outputs + " outputs but the data has "
          + data.labelNames().size() + " labels " + data.labelNames());
    }
    int levels = network().args().get("levels").getAsInt();
    VolumeDataset v = data.volumes();
    if (Math.min(v.depth(), Math.min(v.height(), v.width())) < 1 << (levels - 1)) {
      throw new IllegalArgumentException("volumes of " + v.depth() + "x" + v.height() + "x" + v.width()
          + " are too small for " + levels + " levels (need " + (1 << (levels - 1)) + " per axis)");
    }
    if (data.hasRegions() && !"classmap".equals(network().args().get("head").getAsString())) {
      throw new IllegalArgumentException("finding regions need the classmap head (evidence maps), not '"
          + network().args().get("head").getAsString() + "'");
    }
  }

  @Override
  protected NDList batch(NDManager manager, LabelledVolumes data, int[] indices) {
    int k = data.labelNames().size();
    float[] labels = new float[indices.length * k];
    for (int b = 0; b < indices.length; b++) {
      System.arraycopy(data.labels().get(indices[b]), 0, labels, b * k, k);
    }
    NDList batch = new NDList(VolumeBatches.volumes(manager, data.volumes(), indices),
        manager.create(labels, new Shape(indices.length, k)));
    if (data.hasRegions()) {
      batch.add(regionTargets(manager, data, indices));
      float[] supervised = new float[k];
      for (int label = 0; label < k; label++) {
        supervised[label] = data.regionClass()[label] > 0 ? 1 : 0;
      }
      batch.add(manager.create(supervised, new Shape(1, k, 1, 1, 1)));
    }
    return batch;
  }

  /** [B, K, d, h, w]: 1 in the cells of the evidence-map grid that hold some voxel of the finding. */
  private NDArray regionTargets(NDManager manager, LabelledVolumes data, int[] indices) {
    VolumeDataset v = data.volumes();
    int k = data.labelNames().size();
    int voxels = v.depth() * v.height() * v.width();
    float[] inside = new float[indices.length * k * voxels];
    for (int b = 0; b < indices.length; b++) {
      int[] region = data.regions().get(indices[b]);
      for (int label = 0; label < k; label++) {
        int c = data.regionClass()[label];
        if (c == 0) {
          continue;
        }
        int offset = (b * k + label) * voxels;
        for (int i = 0; i < voxels; i++) {
          if (region[i] == c) {
            inside[offset + i] = 1;
          }
        }
      }
    }
    NDArray t = manager.create(inside, new Shape(indices.length, k, v.depth(), v.height(), v.width()));
    // The same 2x2x2 max pooling as between the network's levels gives the evidence map's grid.
    Shape two = new Shape(2, 2, 2);
    for (int l = 1; l < network().args().get("levels").getAsInt(); l++) {
      t = Pool.maxPool3d(t, two, two, new Shape(0, 0, 0), false);
    }
    return t;
  }

  /** The logits, and with regions also the evidence maps they pool ([B, K, d, h, w]). */
  @Override
  protected NDList forward(NDArray input, boolean training) {
    if (fitData() == null || !fitData().hasRegions()) {
      return super.forward(input, training);
    }
    List<Block> layers = network().block().getChildren().values();
    ParameterStore store = network().parameterStore();
    NDList x = new NDList(input);
    for (Block layer : layers.subList(0, layers.size() - 1)) {
      x = layer.forward(store, x, training);
    }
    NDArray maps = x.singletonOrThrow();
    return new NDList(layers.get(layers.size() - 1).forward(store, x, training).singletonOrThrow(), maps);
  }

  @Override
  protected NDArray loss(NDList output, NDList target) {
    NDArray loss = Losses.bceWithLogits(output.head(), target.head());
    if (output.size() == 1) {
      return loss;
    }
    return loss.add(regionLoss(output.get(1), target.get(1), target.get(2)).mul((float) regionWeight));
  }

  /**
   * Per output with a region: the mean cell cross-entropy inside the region and the mean outside,
   * averaged (a finding fills few cells: unbalanced, "nothing anywhere" would be a cheap optimum);
   * then the mean over those outputs.
   *
   * @param maps evidence logits [B, K, d, h, w]
   * @param inside 1 for the cells of the region, else 0, same shape
   * @param supervised [1, K, 1, 1, 1]: 1 for the outputs with a region
   */
  private static NDArray regionLoss(NDArray maps, NDArray inside, NDArray supervised) {
    NDArray cells = Losses.bceWithLogitsPerElement(maps, inside).mul(supervised);
    NDArray outside = inside.neg().add(1f).mul(supervised);
    int[] allButOutput = {0, 2, 3, 4};
    NDArray in = cells.mul(inside).sum(allButOutput).div(inside.sum(allButOutput).maximum(1f));
    NDArray out = cells.mul(outside).sum(allButOutput).div(outside.sum(allButOutput).maximum(1f));
    return in.add(out).mul(0.5f).sum().div(supervised.sum());
  }

  @Override
  protected MetricAccumulator newMetrics(LabelledVolumes data) {
    int k = data.labelNames().size();
    return new MetricAccumulator() {
      private final List<float[]> scores = new ArrayList<>();
      private final List<float[]> labels = new ArrayList<>();

      @Override
      public void add(NDArray output, NDArray target) {
        scores.add(output.toFloatArray());
        labels.add(target.toFloatArray());
      }

      @Override
      public Map<String, Double> result() {
        int n = scores.stream().mapToInt(a -> a.length).sum() / k;
        Map<String, Double> m = ordered();
        double sum = 0;
        int defined = 0;
        for (int label = 0; label < k; label++) {
          double[] s = new double[n];
          boolean[] positive = new boolean[n];
          int i = 0;
          for (int batch = 0; batch < scores.size(); batch++) {
            for (int row = 0; row < scores.get(batch).length / k; row++, i++) {
              s[i] = scores.get(batch)[row * k + label];
              positive[i] = labels.get(batch)[row * k + label] == 1;
            }
          }
          double auc = Metrics.rocAuc(s, positive);
          m.put("auc_" + data.labelNames().get(label), auc);
          if (!Double.isNaN(auc)) {
            sum += auc;
            defined++;
          }
        }
        m.put("auc_mean", defined == 0 ? Double.NaN : sum / defined);
        return m;
      }
    };
  }

  @Override
  protected JsonObject manifestFields(LabelledVolumes data) {
    JsonObject f = VolumeBatches.manifestFields("classifier3d", data.volumes());
    f.add("outputs", jsonArray(data.labelNames()));
    f.addProperty("activation", "sigmoid");
    f.addProperty("threshold", 0.5);
    return f;
  }
}
