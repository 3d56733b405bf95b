package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import dev.ctshift.model.djl.Architecture;
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
 * respect to the input outside the finding, on the scans that have it ({@link #trainingLoss}); a step
 * then costs about three times as much.
 */
public final class ClassifierTrainer extends NetworkTrainer<LabelledVolumes> {
  private final double regionWeight;
  private final FindingCrops crops;
  private final double labelSmoothing;
  private final GradientPenalty penalty;
  /** Added to a scan's sum of squared gradients before the share penalty divides by it. */
  private static final float SHARE_FLOOR = 1e-12f;
  /** With the gradient penalty: the copies of the weights the current training step runs on. */
  private Map<String, NDArray> stepWeights;
  /** Per region map (by identity), its finding voxels: found once, drawn from in every crop epoch. */
  private final Map<int[], int[]> findingVoxels = new java.util.IdentityHashMap<>();

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
    this(config, architectureArgs, regionWeight, null);
  }

  /**
   * @param crops crops for the first epochs, or null for whole volumes throughout
   * @throws IllegalArgumentException on invalid args or a negative or non-finite weight
   */
  public ClassifierTrainer(TrainConfig config, JsonObject architectureArgs, double regionWeight,
      FindingCrops crops) {
    this(config, architectureArgs, regionWeight, crops, 0);
  }

  /**
   * @param labelSmoothing ε in [0, 1): scan-level targets become ε/2 and 1 - ε/2
   * @throws IllegalArgumentException on invalid args, weight or smoothing
   */
  public ClassifierTrainer(TrainConfig config, JsonObject architectureArgs, double regionWeight,
      FindingCrops crops, double labelSmoothing) {
    this(config, architectureArgs, regionWeight, crops, labelSmoothing, GradientPenalty.NONE);
  }

  /**
   * @param penalty the input-gradient penalty of the outputs with a region
   * @throws IllegalArgumentException on invalid args, weight or smoothing
   */
  public ClassifierTrainer(TrainConfig config, JsonObject architectureArgs, double regionWeight,
      FindingCrops crops, double labelSmoothing, GradientPenalty penalty) {
    super(config, Architecture.CLASSIFIER_3D, architectureArgs);
    if (!(regionWeight >= 0) || Double.isInfinite(regionWeight)) {
      throw new IllegalArgumentException("the region weight must be finite and at least 0, got " + regionWeight);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    this.regionWeight = regionWeight;
    this.crops = crops;
    this.labelSmoothing = labelSmoothing;
    this.penalty = penalty;
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
  protected NDList batch(NDManager manager, LabelledVolumes data, int[] indices) {
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
  protected NDList trainingBatch(NDManager manager, LabelledVolumes data, int[] indices, int epoch,
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
      int[] origin = cropOrigin(region, data.regionClass(), full, size, random);
      int[] croppedRegion = crop(region, full, origin, size);
      volumes.add(crop(v.volume(i), full, origin, size));
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

  /**
   * Where a crop of {@code size} starts: about a random voxel of the supervised findings when the
   * volume has some and a coin says so, else uniformly at random.
   */
  private int[] cropOrigin(int[] region, int[] regionClass, int[] full, int[] size, Random random) {
    boolean centred = random.nextBoolean();
    int[] voxels = centred ? findingVoxels.computeIfAbsent(region, r -> findingVoxels(r, regionClass)) : null;
    int[] centre = null;
    if (voxels != null && voxels.length > 0) {
      int j = voxels[random.nextInt(voxels.length)];
      centre = new int[] {j / (full[1] * full[2]), j / full[2] % full[1], j % full[2]};
    }
    int[] origin = new int[3];
    for (int a = 0; a < 3; a++) {
      int last = full[a] - size[a];
      if (centre == null) {
        origin[a] = random.nextInt(last + 1);
      } else {
        int jitter = random.nextInt(2 * FindingCrops.JITTER + 1) - FindingCrops.JITTER;
        origin[a] = Math.max(0, Math.min(last, centre[a] - size[a] / 2 + jitter));
      }
    }
    return origin;
  }

  /** The indices of the voxels of {@code region} that belong to some output's finding, ascending. */
  private static int[] findingVoxels(int[] region, int[] regionClass) {
    return java.util.stream.IntStream.range(0, region.length)
        .filter(j -> Arrays.stream(regionClass).anyMatch(c -> c > 0 && region[j] == c)).toArray();
  }

  private static float[] crop(float[] volume, int[] full, int[] origin, int[] size) {
    return copyBlock(volume, full, origin, size, new float[size[0] * size[1] * size[2]]);
  }

  private static int[] crop(int[] volume, int[] full, int[] origin, int[] size) {
    return copyBlock(volume, full, origin, size, new int[size[0] * size[1] * size[2]]);
  }

  /** Copies the {@code size} block at {@code origin} of a C-order array of {@code full} into {@code out}. */
  private static <A> A copyBlock(A volume, int[] full, int[] origin, int[] size, A out) {
    for (int d = 0; d < size[0]; d++) {
      for (int h = 0; h < size[1]; h++) {
        System.arraycopy(volume, ((origin[0] + d) * full[1] + origin[1] + h) * full[2] + origin[2],
            out, (d * size[1] + h) * size[2], size[2]);
      }
    }
    return out;
  }

  /**
   * The batch: input [B, 1, D, H, W] and labels [B, K]; with regions also their evidence-map targets
   * and which outputs have a region ({@link #regionLoss}); for crops also the weight of each output's
   * scan-level loss [1, K] (1 for the outputs with a region, else 0). With the gradient penalty also
   * those weights (all 1 for whole volumes) and then where the penalty applies ({@link #penaltyMask}).
   */
  private NDList assemble(NDManager manager, LabelledVolumes data, int[] shape, List<float[]> volumes,
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
    NDList batch = new NDList(manager.create(input, new Shape(b, 1, shape[0], shape[1], shape[2])),
        manager.create(targets, new Shape(b, k)));
    if (!data.hasRegions()) {
      return batch;
    }
    float[] supervised = new float[k];
    for (int label = 0; label < k; label++) {
      supervised[label] = data.regionClass()[label] > 0 ? 1 : 0;
    }
    batch.add(regionTargets(manager, regions, data.regionClass(), shape));
    batch.add(manager.create(supervised, new Shape(1, k, 1, 1, 1)));
    if (cropped) {
      batch.add(manager.create(supervised, new Shape(1, k)));
    } else if (penalty.active()) {
      float[] all = new float[k];
      Arrays.fill(all, 1);
      batch.add(manager.create(all, new Shape(1, k)));
    }
    if (penalty.active()) {
      batch.add(penaltyMask(manager, regions, data.regionClass(), shape));
    }
    return batch;
  }

  /**
   * [B, K, D, H, W]: 1 where output k's input gradient is penalised in scan b: if the scan holds some
   * of k's finding, every voxel farther than the margin from it (Chebyshev distance); else none.
   */
  private NDArray penaltyMask(NDManager manager, List<int[]> regions, int[] regionClass, int[] shape) {
    int k = regionClass.length;
    int voxels = shape[0] * shape[1] * shape[2];
    float[] finding = new float[regions.size() * k * voxels];
    float[] present = new float[regions.size() * k];
    for (int b = 0; b < regions.size(); b++) {
      int[] region = regions.get(b);
      for (int label = 0; label < k; label++) {
        int c = regionClass[label];
        int offset = (b * k + label) * voxels;
        for (int i = 0; c > 0 && i < voxels; i++) {
          if (region[i] == c) {
            finding[offset + i] = 1;
            present[b * k + label] = 1;
          }
        }
      }
    }
    NDArray near = manager.create(finding, new Shape(regions.size(), k, shape[0], shape[1], shape[2]));
    int m = penalty.margin();
    if (m > 0) {
      Shape side = new Shape(2 * m + 1, 2 * m + 1, 2 * m + 1);
      near = Pool.maxPool3d(near, side, new Shape(1, 1, 1), new Shape(m, m, m), false);
    }
    return near.neg().add(1f).mul(manager.create(present, new Shape(regions.size(), k, 1, 1, 1)));
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
    for (int l = 1; l < network().args().get("levels").getAsInt(); l++) {
      t = Pool.maxPool3d(t, two, two, new Shape(0, 0, 0), false);
    }
    return t;
  }

  /**
   * The loss, plus with the gradient penalty that penalty times its weight. The penalty's input
   * gradient comes from a backward pass that records its own graph (PyTorch's {@code create_graph}),
   * so the step differentiates the gradient itself, exactly. That pass also leaves gradients with
   * graphs on the weights, and DJL can neither skip the weights in it nor reset their gradients; such
   * a gradient would chain every step's graph to the next (memory grows by a graph per step). So the
   * step runs on fresh copies of the weights, whose gradients {@link #weightGradient} hands to the
   * optimiser and which the batch's manager frees.
   */
  @Override
  protected NDArray trainingLoss(NDArray input, NDList target) {
    if (!penalty.active()) {
      return super.trainingLoss(input, target);
    }
    NDManager manager = input.getManager();
    stepWeights = new java.util.HashMap<>();
    for (Parameter p : network().block().getParameters().values()) {
      NDArray copy = p.getArray().duplicate();
      copy.attach(manager);
      copy.setRequiresGradient(true);
      stepWeights.put(p.getId(), copy);
    }
    Map<String, NDArray> weights = stepWeights;
    ParameterStore store = new ParameterStore(manager, false) {
      @Override
      public NDArray getValue(Parameter parameter, ai.djl.Device device, boolean training) {
        return weights.get(parameter.getId());
      }
    };
    NDArray leaf = input.duplicate();
    leaf.setRequiresGradient(true);
    NDList output = forward(leaf, true, store);
    NDArray outside = target.get(4);
    NDArray penaltySum = manager.zeros(new Shape());
    NDArray before = null;
    for (int k = 0; k < outside.getShape().get(1); k++) {
      NDArray mask = outside.get(":, {}:{}", k, k + 1);
      if (mask.sum().getFloat() == 0) {
        continue;
      }
      NDArray score = output.head().get(":, {}", k).sum();
      try (NDArray one = score.onesLike()) {
        JniUtils.backward((PtNDArray) score, (PtNDArray) one, true, true);
      }
      // The leaf's gradient accumulates over the outputs (out of place, with its graph).
      NDArray accumulated = leaf.getGradient();
      NDArray g = before == null ? accumulated : accumulated.sub(before);
      before = accumulated;
      NDArray outsideSquares = g.mul(mask).square();
      if (penalty.relative()) {
        // Per scan; scans without the finding have no mask, so their share is 0. The floor keeps the
        // share's own gradient finite where a scan's gradient vanishes (its square must not underflow
        // float32, as 1e-30 squared does).
        int[] scanAxes = {1, 2, 3, 4};
        NDArray share = outsideSquares.sum(scanAxes).div(g.square().sum(scanAxes).add(SHARE_FLOOR));
        penaltySum = penaltySum.add(share.sum());
      } else {
        penaltySum = penaltySum.add(outsideSquares.sum());
      }
    }
    for (NDArray copy : weights.values()) {
      JniUtils.zeroGrad((PtNDArray) copy); // d(logit)/d(weights) from the passes above
    }
    return loss(output, target).add(penaltySum.mul((float) (penalty.weight() / input.getShape().get(0))));
  }

  @Override
  protected NDArray weightGradient(Parameter weight) {
    return stepWeights == null ? super.weightGradient(weight) : stepWeights.get(weight.getId()).getGradient();
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
  protected NDArray loss(NDList output, NDList target) {
    NDArray labels = labelSmoothing == 0 ? target.head()
        : target.head().mul((float) (1 - labelSmoothing)).add((float) (labelSmoothing / 2));
    NDArray loss = target.size() > 3
        ? Losses.bceWithLogitsPerElement(output.head(), labels).mul(target.get(3)).sum()
            .div(target.get(3).sum().mul((float) target.head().getShape().get(0)))
        : Losses.bceWithLogits(output.head(), labels);
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
  protected JsonObject manifestFields(LabelledVolumes data) {
    JsonObject f = VolumeBatches.manifestFields("classifier3d", data.volumes());
    f.add("outputs", jsonArray(data.labelNames()));
    f.addProperty("activation", "sigmoid");
    f.addProperty("threshold", 0.5);
    return f;
  }
}
