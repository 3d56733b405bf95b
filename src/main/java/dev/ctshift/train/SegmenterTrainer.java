package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
import java.util.Map;

/**
 * Trains a {@code segmenter3d} with softmax cross-entropy plus soft Dice loss. Validation metrics:
 * {@code dice_<class>} for every class but the background (argmax labels, counted over the whole
 * validation split; 1 when the class is absent from both) and {@code dice_mean} over them.
 */
public final class SegmenterTrainer extends NetworkTrainer<SegmentedVolumes, Batch> {
  private final Segmenter3d args;

  /**
   * @param args {@code classes} must equal the number of classes of the data given to {@link #fit}
   */
  public SegmenterTrainer(TrainConfig config, Segmenter3d args) {
    super(config, args);
    this.args = args;
  }

  @Override
  protected int size(SegmentedVolumes data) {
    return data.volumes().size();
  }

  @Override
  protected void check(SegmentedVolumes data) {
    int classes = args.classes();
    if (classes != data.classNames().size()) {
      throw new IllegalArgumentException("the segmenter has " + classes + " classes but the data has "
          + data.classNames().size() + " " + data.classNames());
    }
  }

  @Override
  protected Batch batch(NDManager manager, SegmentedVolumes data, int[] indices) {
    int c = data.classNames().size();
    int voxels = data.masks().get(0).length;
    float[] oneHot = new float[indices.length * c * voxels];
    for (int b = 0; b < indices.length; b++) {
      int[] mask = data.masks().get(indices[b]);
      for (int v = 0; v < voxels; v++) {
        oneHot[(b * c + mask[v]) * voxels + v] = 1;
      }
    }
    VolumeDataset vol = data.volumes();
    return new Batch(VolumeBatches.volumes(manager, vol, indices), manager.create(oneHot,
        new Shape(indices.length, c, vol.depth(), vol.height(), vol.width())));
  }

  @Override
  protected NDArray loss(NDList output, Batch batch) {
    return Losses.crossEntropyPlusDice(output.singletonOrThrow(), batch.target());
  }

  @Override
  protected String selectionMetric() {
    return "dice_mean";
  }

  @Override
  protected MetricAccumulator newMetrics(SegmentedVolumes data) {
    int c = data.classNames().size();
    return new MetricAccumulator() {
      private final long[] both = new long[c];
      private final long[] predicted = new long[c];
      private final long[] reference = new long[c];

      @Override
      public void add(NDArray output, NDArray target) {
        long[] p = output.argMax(1).toLongArray();
        long[] r = target.argMax(1).toLongArray();
        for (int i = 0; i < p.length; i++) {
          predicted[(int) p[i]]++;
          reference[(int) r[i]]++;
          if (p[i] == r[i]) {
            both[(int) p[i]]++;
          }
        }
      }

      @Override
      public Map<String, Double> result() {
        Map<String, Double> m = ordered();
        double sum = 0;
        for (int k = 1; k < c; k++) {
          double dice = Metrics.dice(both[k], predicted[k], reference[k]);
          m.put("dice_" + data.classNames().get(k), dice);
          sum += dice;
        }
        m.put("dice_mean", sum / (c - 1));
        return m;
      }
    };
  }

  @Override
  protected ModelManifestBuilder describe(SegmentedVolumes data) {
    VolumeDataset v = data.volumes();
    return ModelManifest.builder().setName(Segmenter3d.ID).optInput(inputOfSize(v.height(), v.width()))
        .optOutputs(data.classNames()).optActivation(ModelManifest.Activation.SOFTMAX)
        .optScoreClass(data.classNames().get(1));
  }
}
