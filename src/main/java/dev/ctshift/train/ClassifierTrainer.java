package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.ctshift.model.djl.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@code classifier3d} on multi-label volumes with mean binary cross-entropy on the logits.
 * Validation metrics: {@code auc_<label>} (ROC AUC, {@link Metrics#rocAuc}; NaN if the validation
 * split lacks positives or negatives) and {@code auc_mean} over the defined ones.
 */
public final class ClassifierTrainer extends NetworkTrainer<LabelledVolumes> {

  /**
   * @param architectureArgs {@code classifier3d} args; {@code outputs} must equal the number of
   *     labels of the data given to {@link #fit}
   * @throws IllegalArgumentException on invalid args
   */
  public ClassifierTrainer(TrainConfig config, JsonObject architectureArgs) {
    super(config, Architecture.CLASSIFIER_3D, architectureArgs);
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
  }

  @Override
  protected NDList batch(NDManager manager, LabelledVolumes data, int[] indices) {
    int k = data.labelNames().size();
    float[] labels = new float[indices.length * k];
    for (int b = 0; b < indices.length; b++) {
      System.arraycopy(data.labels().get(indices[b]), 0, labels, b * k, k);
    }
    return new NDList(VolumeBatches.volumes(manager, data.volumes(), indices),
        manager.create(labels, new Shape(indices.length, k)));
  }

  @Override
  protected NDArray loss(NDArray output, NDArray target) {
    return Losses.bceWithLogits(output, target);
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
