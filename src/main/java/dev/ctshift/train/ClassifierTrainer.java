package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

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
 *
 * <p>With {@link FindingCrops}, the first epochs train on crops, many of them around the findings
 * (regions needed). A crop's scan-level target is known only for the outputs with a region (is some
 * of it in the crop?); the other outputs are left out of that epoch's scan-level loss.
 *
 * <p>With label smoothing ε the scan-level targets 0 and 1 become ε/2 and 1 - ε/2: the loss no longer
 * pays for ever larger logits, which keeps a confident output from saturating (p = 0.9999), where a
 * straight latent shift stalls (models/PHANTOM-MODELS.md).
 *
 * <p>With a {@link GradientPenalty} (regions needed), the outputs with a region are also taught to take
 * their evidence from the finding: the loss gains the squared gradient of the output's logit with
 * respect to the input outside the finding, on the scans that have it ({@link PenalisedStep}); a step
 * then costs about three times as much.
 */
public final class ClassifierTrainer extends NetworkTrainer<LabelledVolumes, ClassifierBatch> {
  private final Classifier3d args;
  private final double regionWeight;
  private final FindingCrops crops;
  private final double labelSmoothing;
  private final GradientPenalty penalty;
  private final PenalisedStep penalised;
  private final CropSampler sampler = new CropSampler();

  /**
   * A plain multi-label classifier trainer ({@link ClassifierOptions#DEFAULTS}).
   *
   * @param args {@code outputs} must equal the number of labels of the data given to {@link #fit}
   */
  public ClassifierTrainer(TrainConfig config, Classifier3d args) {
    this(config, args, ClassifierOptions.DEFAULTS);
  }

  /**
   * @param args {@code outputs} must equal the number of labels of the data given to {@link #fit}
   */
  public ClassifierTrainer(TrainConfig config, Classifier3d args, ClassifierOptions options) {
    super(config, args);
    this.args = args;
    this.regionWeight = options.regionWeight();
    this.crops = options.crops();
    this.labelSmoothing = options.labelSmoothing();
    this.penalty = options.penalty();
    this.penalised = new PenalisedStep(penalty);
  }

  @Override
  protected int size(LabelledVolumes data) {
    return data.volumes().size();
  }

  @Override
  protected void check(LabelledVolumes data) {
    int outputs = args.outputs();
    if (outputs != data.labelNames().size()) {
      throw new IllegalArgumentException("the classifier has " + outputs + " outputs but the data has "
          + data.labelNames().size() + " labels " + data.labelNames());
    }
    int levels = args.levels();
    VolumeDataset v = data.volumes();
    if (Math.min(v.depth(), Math.min(v.height(), v.width())) < 1 << (levels - 1)) {
      throw new IllegalArgumentException("volumes of " + v.depth() + "x" + v.height() + "x" + v.width()
          + " are too small for " + levels + " levels (need " + (1 << (levels - 1)) + " per axis)");
    }
    if (data.hasRegions() && !"classmap".equals(args.head())) {
      throw new IllegalArgumentException("finding regions need the classmap head (evidence maps), not '"
          + args.head() + "'");
    }
    if (penalty.active() && !data.hasRegions()) {
      throw new IllegalArgumentException("the gradient penalty needs finding regions");
    }
    if (crops != null) {
      if (!data.hasRegions()) {
        throw new IllegalArgumentException("crops around findings need finding regions");
      }
      int min = 1 << (levels - 1);
      if (crops.depth() > v.depth() || crops.height() > v.height() || crops.width() > v.width()
          || Math.min(crops.depth(), Math.min(crops.height(), crops.width())) < min) {
        throw new IllegalArgumentException("crops of " + crops.depth() + "x" + crops.height() + "x"
            + crops.width() + " must fit in the volumes of " + v.depth() + "x" + v.height() + "x" + v.width()
            + " and be at least " + min + " per axis for " + levels + " levels");
      }
    }
  }

  @Override
  protected ClassifierBatch batch(NDManager manager, LabelledVolumes data, int[] indices) {
    VolumeDataset v = data.volumes();
    List<float[]> volumes = new ArrayList<>();
    List<float[]> labels = new ArrayList<>();
    List<int[]> regions = new ArrayList<>();
    for (int i : indices) {
      volumes.add(v.volume(i));
      labels.add(data.labels().get(i));
      if (data.hasRegions()) {
        regions.add(data.regions().get(i));
      }
    }
    return assemble(manager, data, new int[] {v.depth(), v.height(), v.width()}, volumes, labels, regions, false);
  }

  @Override
  protected int draws(int epoch) {
    return crops != null && crops.covers(epoch) ? crops.perVolume() : 1;
  }

  /** In the epochs {@link FindingCrops} covers, crops of the volumes {@code indices}; else whole volumes. */
  @Override
  protected ClassifierBatch trainingBatch(NDManager manager, LabelledVolumes data, int[] indices, int epoch,
      Random random) {
    if (crops == null || !crops.covers(epoch)) {
      return batch(manager, data, indices);
    }
    VolumeDataset v = data.volumes();
    int[] full = {v.depth(), v.height(), v.width()};
    int[] size = {crops.depth(), crops.height(), crops.width()};
    int k = data.labelNames().size();
    List<float[]> volumes = new ArrayList<>();
    List<float[]> labels = new ArrayList<>();
    List<int[]> regions = new ArrayList<>();
    for (int i : indices) {
      int[] region = data.regions().get(i);
      int[] origin = sampler.origin(region, data.regionClass(), full, size, random);
      int[] croppedRegion = CropSampler.crop(region, full, origin, size);
      volumes.add(CropSampler.crop(v.volume(i), full, origin, size));
      regions.add(croppedRegion);
      float[] present = new float[k];
      for (int label = 0; label < k; label++) {
        int c = data.regionClass()[label];
        present[label] = c > 0 && Arrays.stream(croppedRegion).anyMatch(value -> value == c) ? 1 : 0;
      }
      labels.add(present);
    }
    return assemble(manager, data, size, volumes, labels, regions, true);
  }

  /** The batch of these volumes, with the parts the training uses ({@link ClassifierBatch}). */
  private ClassifierBatch assemble(NDManager manager, LabelledVolumes data, int[] shape, List<float[]> volumes,
      List<float[]> labels, List<int[]> regions, boolean cropped) {
    int k = data.labelNames().size();
    int b = volumes.size();
    int voxels = shape[0] * shape[1] * shape[2];
    float[] input = new float[b * voxels];
    float[] targets = new float[b * k];
    for (int i = 0; i < b; i++) {
      System.arraycopy(volumes.get(i), 0, input, i * voxels, voxels);
      System.arraycopy(labels.get(i), 0, targets, i * k, k);
    }
    NDArray inputs = manager.create(input, new Shape(b, 1, shape[0], shape[1], shape[2]));
    NDArray labelArray = manager.create(targets, new Shape(b, k));
    if (!data.hasRegions()) {
      return new ClassifierBatch(inputs, labelArray, null, null, null, null);
    }
    float[] supervised = new float[k];
    for (int label = 0; label < k; label++) {
      supervised[label] = data.regionClass()[label] > 0 ? 1 : 0;
    }
    NDArray regionTargets = regionTargets(manager, regions, data.regionClass(), shape);
    NDArray supervisedMaps = manager.create(supervised, new Shape(1, k, 1, 1, 1));
    NDArray labelWeights = null;
    if (cropped) {
      labelWeights = manager.create(supervised, new Shape(1, k));
    } else if (penalty.active()) {
      float[] all = new float[k];
      Arrays.fill(all, 1);
      labelWeights = manager.create(all, new Shape(1, k));
    }
    NDArray penaltyMask = penalty.active() ? penalised.mask(manager, regions, data.regionClass(), shape) : null;
    return new ClassifierBatch(inputs, labelArray, regionTargets, supervisedMaps, labelWeights, penaltyMask);
  }

  /** [B, K, d, h, w]: 1 in the cells of the evidence-map grid that hold some voxel of the finding. */
  private NDArray regionTargets(NDManager manager, List<int[]> regions, int[] regionClass, int[] shape) {
    int k = regionClass.length;
    int voxels = shape[0] * shape[1] * shape[2];
    float[] inside = new float[regions.size() * k * voxels];
    for (int b = 0; b < regions.size(); b++) {
      int[] region = regions.get(b);
      for (int label = 0; label < k; label++) {
        int c = regionClass[label];
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
    NDArray t = manager.create(inside, new Shape(regions.size(), k, shape[0], shape[1], shape[2]));
    // The same 2x2x2 max pooling as between the network's levels gives the evidence map's grid.
    Shape two = new Shape(2, 2, 2);
    for (int l = 1; l < args.levels(); l++) {
      t = Pool.maxPool3d(t, two, two, new Shape(0, 0, 0), false);
    }
    return t;
  }

  /** The loss, plus with the gradient penalty that penalty times its weight ({@link PenalisedStep}). */
  @Override
  protected NDArray trainingLoss(NDArray input, ClassifierBatch batch) {
    if (!penalty.active()) {
      return super.trainingLoss(input, batch);
    }
    return penalised.loss(input, batch.penaltyMask(), network().block().getParameters().values(),
        (x, store) -> forward(x, true, store), output -> loss(output, batch));
  }

  @Override
  protected NDArray weightGradient(Parameter weight) {
    NDArray copy = penalised.weightGradient(weight);
    return copy != null ? copy : super.weightGradient(weight);
  }

  /** The logits, and with regions also the evidence maps they pool ([B, K, d, h, w]). */
  @Override
  protected NDList forward(NDArray input, boolean training) {
    if (fitData() == null || !fitData().hasRegions()) {
      return super.forward(input, training);
    }
    return forward(input, training, network().parameterStore());
  }

  /** {@link #forward} with the weights {@code store} gives. */
  private NDList forward(NDArray input, boolean training, ParameterStore store) {
    List<Block> layers = network().block().getChildren().values();
    NDList x = new NDList(input);
    for (Block layer : layers.subList(0, layers.size() - 1)) {
      x = layer.forward(store, x, training);
    }
    NDArray maps = x.singletonOrThrow();
    return new NDList(layers.get(layers.size() - 1).forward(store, x, training).singletonOrThrow(), maps);
  }

  @Override
  protected NDArray loss(NDList output, ClassifierBatch batch) {
    NDArray labels = labelSmoothing == 0 ? batch.labels()
        : batch.labels().mul((float) (1 - labelSmoothing)).add((float) (labelSmoothing / 2));
    NDArray weights = batch.labelWeights();
    NDArray loss = weights != null
        ? Losses.bceWithLogitsPerElement(output.head(), labels).mul(weights).sum()
            .div(weights.sum().mul((float) batch.labels().getShape().get(0)))
        : Losses.bceWithLogits(output.head(), labels);
    if (output.size() == 1) {
      return loss;
    }
    return loss.add(regionLoss(output.get(1), batch.regionTargets(), batch.supervised()).mul((float) regionWeight));
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
  protected String selectionMetric() {
    return "auc_mean";
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
  protected ModelManifestBuilder describe(LabelledVolumes data) {
    VolumeDataset v = data.volumes();
    return ModelManifest.builder().setName(Classifier3d.ID).optInput(inputOfSize(v.height(), v.width()))
        .optOutputs(data.labelNames()).optActivation(ModelManifest.Activation.SIGMOID).optThreshold(0.5);
  }
}
