package dev.ctshift.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
import dev.ctshift.model.djl.DjlModels;
import dev.ctshift.model.djl.DjlNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The training loop shared by the trainers: seeded split and shuffles, Adam steps, validation
 * metrics, checkpoints with resume, and saving as a model directory. A subclass supplies batches, the
 * loss and the metrics for its kind of data {@code D}.
 *
 * <p>The trainer owns its network (float32, on {@link TrainConfig#device()}); {@link #close()} frees
 * it. Not thread-safe.
 *
 * @param <D> the dataset type
 * @param <B> the batch type
 */
public abstract class NetworkTrainer<D, B extends TrainingBatch> implements AutoCloseable {
  private final TrainConfig config;
  private final DjlNetwork network;
  private final List<ProgressListener.EpochReport> history = new ArrayList<>();
  private D lastData;
  /** With {@link TrainConfig#keepBest()}: the best epoch so far (0: none yet), its metric and weights. */
  private int bestEpoch;
  private double bestValue;
  private byte[] bestWeights;

  /**
   * Seeds the engine with {@code config.seed()} and builds a freshly initialised network.
   *
   * @param args the architecture and its arguments
   */
  protected NetworkTrainer(TrainConfig config, ArchitectureArgs args) {
    this.config = config;
    Engine.getEngine("PyTorch").setRandomSeed(Long.hashCode(config.seed()));
    this.network = DjlNetwork.create(args, config.device(), DataType.FLOAT32);
  }

  /**
   * Replaces the freshly initialised weights with those of the DJL model in {@code modelDir}, which
   * must have this trainer's architecture and arguments: training then fine-tunes that model. A
   * checkpoint to resume from still takes precedence in {@link #fit}.
   *
   * @throws TrainingException naming the model if it cannot be loaded or does not fit
   */
  public void startFrom(Path modelDir) throws TrainingException {
    try {
      ModelManifest manifest = ModelManifest.read(modelDir);
      try (DjlNetwork source = DjlModels.loadNetwork(manifest, config.device())) {
        network.copyParametersFrom(source);
      } catch (IllegalArgumentException e) {
        throw new TrainingException(modelDir + ": cannot start from this model: " + e.getMessage(), e);
      }
    } catch (ModelLoadException e) {
      throw new TrainingException("cannot start from " + modelDir + ": " + e.getMessage(), e);
    }
  }

  /** Number of samples in {@code data}. */
  protected abstract int size(D data);

  /** @throws IllegalArgumentException if {@code data} does not fit the network */
  protected abstract void check(D data);

  /** The batch of the samples {@code indices}, created in {@code manager}. */
  protected abstract B batch(NDManager manager, D data, int[] indices);

  /** How many times each training item is drawn in {@code epoch}: 1 unless a subclass samples crops. */
  protected int draws(int epoch) {
    return 1;
  }

  /**
   * The batch a training step of {@code epoch} sees; by default {@link #batch}. A subclass may sample
   * from the data instead (e.g. crops), drawing only from {@code random}, which is seeded by the
   * configured seed and the epoch, so that runs and resumed runs repeat exactly.
   */
  protected B trainingBatch(NDManager manager, D data, int[] indices, int epoch, Random random) {
    return batch(manager, data, indices);
  }

  /**
   * The scalar loss of a batch.
   *
   * @param output what {@link #forward} returned for an input of {@code batch} (its own, or one
   *     moved by {@link #adversarial})
   */
  protected abstract NDArray loss(NDList output, B batch);

  /**
   * The loss a training step takes the gradient of, computed while gradients are recorded; by default
   * {@link #loss} of {@link #forward}. A subclass may add terms that need more than one pass.
   *
   * @param input the batch's input, or the adversarial one in its place
   */
  protected NDArray trainingLoss(NDArray input, B batch) {
    return loss(forward(input, true), batch);
  }

  /**
   * The network's output for a batch input: a single array unless a subclass also returns
   * intermediate maps that its loss needs; {@link MetricAccumulator}s see the first array only.
   */
  protected NDList forward(NDArray input, boolean training) {
    return network.block().forward(network.parameterStore(), new NDList(input), training);
  }

  /** The validation metric that ranks epochs for {@link TrainConfig#keepBest()}; higher is better. */
  protected abstract String selectionMetric();

  /** A fresh accumulator of validation metrics for {@code data}. */
  protected abstract MetricAccumulator newMetrics(D data);

  /**
   * The manifest of the model trained on {@code data}: a default name, the input at the training size,
   * outputs, activation …; {@link DjlModels#save} adds the architecture and files.
   */
  protected abstract ModelManifestBuilder describe(D data);

  /** Collects network outputs and targets of validation batches into named metrics. */
  protected interface MetricAccumulator {
    void add(NDArray output, NDArray target);

    Map<String, Double> result();
  }

  /**
   * Trains for the configured epochs (continuing after the checkpoint epoch when resuming) and
   * returns the history of all epochs, including those restored from a checkpoint. A second call
   * trains on from the current weights with a fresh history. Refuses to start when this machine's
   * convolution gradients are wrong (the start-up check of {@link TorchRuntime}).
   *
   * @throws IllegalArgumentException if {@code data} does not fit the network or is too small to
   *     split
   * @throws TrainingException if convolution gradients are wrong on this machine, the loss becomes
   *     NaN or infinite, or a checkpoint cannot be read or written
   */
  public List<ProgressListener.EpochReport> fit(D data, ProgressListener listener)
      throws TrainingException {
    check(data);
    try {
      TorchRuntime.start(config.device(), System.err::println);
    } catch (CtShiftException e) {
      throw new TrainingException(e.getMessage(), e);
    }
    lastData = data;
    history.clear();
    bestEpoch = 0;
    bestWeights = null;
    int n = size(data);
    int[] order = SampleOrder.permutation(n, new Random(config.seed()));
    int validation = config.validationFraction() == 0 ? 0
        : Math.max(1, (int) Math.round(n * config.validationFraction()));
    if (n - validation < 1) {
      throw new IllegalArgumentException(n + " samples leave none for training after holding out "
          + validation + " for validation");
    }
    int[] valIdx = Arrays.copyOfRange(order, 0, validation);
    int[] trainIdx = Arrays.copyOfRange(order, validation, n);
    int first = config.resume() ? resume() + 1 : 1;
    Optimizer adam = Optimizer.adam()
        .optLearningRateTracker(Tracker.fixed((float) config.learningRate())).build();
    long start = System.nanoTime();
    long done = 0;
    long total = 0;
    for (int epoch = first; epoch <= config.epochs(); epoch++) {
      total += steps(trainIdx.length * draws(epoch));
    }
    for (int epoch = first; epoch <= config.epochs(); epoch++) {
      int[] shuffled = SampleOrder.shuffle(SampleOrder.repeat(trainIdx, draws(epoch)),
          new Random(config.seed() * 1_000_003L + epoch));
      int steps = steps(shuffled.length);
      Random sampling = new Random(config.seed() * 999_983L + epoch);
      double lossSum = 0;
      for (int step = 1; step <= steps; step++) {
        int from = (step - 1) * config.batchSize();
        int[] idx = Arrays.copyOfRange(shuffled, from, Math.min(from + config.batchSize(), shuffled.length));
        double loss = trainStep(adam, data, idx, epoch, sampling);
        if (!Double.isFinite(loss)) {
          throw new TrainingException("training loss became " + loss + " at epoch " + epoch + ", step "
              + step + "; lower the learning rate, and start through ./ctshift, which limits oneDNN's"
              + " instruction set (ONEDNN_MAX_CPU_ISA=AVX; on some CPUs oneDNN otherwise computes wrong"
              + " convolution gradients)");
        }
        lossSum += loss;
        done++;
        double perStep = (System.nanoTime() - start) / (double) done;
        listener.onStep(new ProgressListener.Step(epoch, config.epochs(), step, steps, loss,
            Duration.ofNanos((long) (perStep * (total - done)))));
      }
      ProgressListener.EpochReport report = validate(epoch, lossSum / steps, data, valIdx);
      history.add(report);
      boolean best = config.keepBest() && isBest(report);
      if (best) {
        bestEpoch = epoch;
        bestValue = report.metrics().get(selectionMetric());
        bestWeights = network.parameterBytes();
      }
      if (config.checkpointDir() != null) {
        new Checkpoints(config.checkpointDir(), network, config.seed()).write(epoch, bestEpoch, best, history);
      }
      listener.onEpoch(report);
    }
    if (config.keepBest() && bestWeights != null) {
      try {
        network.loadParameters(bestWeights);
      } catch (IOException e) {
        throw new IllegalStateException("cannot restore the weights of epoch " + bestEpoch, e);
      }
    }
    return Collections.unmodifiableList(new ArrayList<>(history));
  }

  /**
   * The epoch whose weights the network holds after {@link #fit}: the last one, or with
   * {@link TrainConfig#keepBest()} the one with the highest {@link #selectionMetric()} (the earliest on
   * ties; the last when the metric was never defined).
   */
  public int selectedEpoch() {
    return bestEpoch > 0 ? bestEpoch : history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
  }

  /** The report of the {@link #selectedEpoch()}, or null before {@link #fit}. */
  public ProgressListener.EpochReport selectedReport() {
    return history.stream().filter(r -> r.epoch() == selectedEpoch()).findFirst().orElse(null);
  }

  private boolean isBest(ProgressListener.EpochReport report) {
    Double value = report.metrics().get(selectionMetric());
    if (value == null || !Double.isFinite(value)) {
      return false;
    }
    return bestEpoch == 0 || value > bestValue;
  }

  private int steps(int samples) {
    return (samples + config.batchSize() - 1) / config.batchSize();
  }

  private double trainStep(Optimizer adam, D data, int[] idx, int epoch, Random sampling) {
    try (NDManager batchManager = network.manager().newSubManager()) {
      B batch = trainingBatch(batchManager, data, idx, epoch, sampling);
      double loss = lossAndGradients(batch);
      if (!Double.isFinite(loss) || !gradientsFinite()) {
        // libtorch on this CPU class now and then returns a non-finite loss or gradient for one step (about
        // once in 2,000 penalised steps, far more rarely in plain ones) and the same step repeated is right
        // again; a real divergence gives the same result twice and still stops the training.
        clearWeightGradients();
        loss = lossAndGradients(batch);
        if (!Double.isFinite(loss) || !gradientsFinite()) {
          return Double.isFinite(loss) ? Double.NaN : loss;
        }
      }
      for (Parameter p : network.block().getParameters().values()) {
        NDArray weight = p.getArray();
        // getGradient() wraps the tensor's grad in a new handle: close it, zero the grad in place.
        try (NDArray grad = weightGradient(p)) {
          adam.update(p.getId(), weight, grad);
          grad.subi(grad);
        }
      }
      return loss;
    }
  }

  /** Computes the training loss of {@code batch} and its weight gradients; returns the loss. */
  private double lossAndGradients(B batch) {
    NDArray input = config.adversarialL2() > 0 ? adversarial(batch.input(), batch) : batch.input();
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray l = trainingLoss(input, batch);
      gc.backward(l);
      return l.getFloat();
    }
  }

  /** One read-back per step: the sum of every gradient is finite exactly when each of them is. */
  private boolean gradientsFinite() {
    try (NDManager scratch = network.manager().newSubManager()) {
      NDArray total = scratch.zeros(new Shape());
      for (Parameter p : network.block().getParameters().values()) {
        try (NDArray grad = weightGradient(p)) {
          NDArray sum = grad.sum();
          sum.attach(scratch);
          total = total.add(sum);
        }
      }
      return Float.isFinite(total.getFloat());
    }
  }


  /**
   * {@code input} moved by {@link TrainConfig#adversarialL2()} along the gradient of the loss, each
   * sample by that L2 length on its own, and clipped to the model range [0, 1]: one step of an L2
   * attack. The weights' gradients this leaves behind are cleared.
   */
  NDArray adversarial(NDArray input, B batch) {
    NDArray leaf = input.duplicate();
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(loss(forward(leaf, true), batch));
    }
    clearWeightGradients();
    NDArray g = leaf.getGradient();
    // One L2 norm per sample, shaped [B, 1, ...] to divide that sample's gradient by.
    long[] perSample = new long[g.getShape().dimension()];
    Arrays.fill(perSample, 1);
    perSample[0] = g.getShape().get(0);
    NDArray norm = g.reshape(perSample[0], -1).norm(new int[] {1}).reshape(new Shape(perSample));
    return input.add(g.div(norm.add(1e-12)).mul(config.adversarialL2())).clip(0, 1).stopGradient();
  }

  /**
   * The gradient of the last {@link #trainingLoss} with respect to {@code weight}, a handle the caller
   * closes; by default the one the weight holds. A subclass whose loss ran on copies of the weights
   * returns the copy's.
   */
  protected NDArray weightGradient(Parameter weight) {
    return weight.getArray().getGradient();
  }

  /** Sets the gradients the weights hold to zero, in place (NaN included, which subtraction would keep). */
  protected void clearWeightGradients() {
    for (Parameter p : network.block().getParameters().values()) {
      JniUtils.zeroGrad((PtNDArray) p.getArray());
    }
  }

  /** The loss of one batch, without training: for tests of {@link #adversarial}. */
  double lossOf(NDArray input, B batch) {
    return loss(forward(input, false), batch).getFloat();
  }

  private ProgressListener.EpochReport validate(int epoch, double trainLoss, D data, int[] valIdx) {
    if (valIdx.length == 0) {
      return new ProgressListener.EpochReport(epoch, trainLoss, Double.NaN, Map.of());
    }
    MetricAccumulator metrics = newMetrics(data);
    double lossSum = 0;
    for (int from = 0; from < valIdx.length; from += config.batchSize()) {
      int[] idx = Arrays.copyOfRange(valIdx, from, Math.min(from + config.batchSize(), valIdx.length));
      try (NDManager batchManager = network.manager().newSubManager()) {
        B batch = batch(batchManager, data, idx);
        NDList out = forward(batch.input(), false);
        lossSum += loss(out, batch).getFloat() * idx.length;
        metrics.add(out.head(), batch.target());
      }
    }
    return new ProgressListener.EpochReport(epoch, trainLoss, lossSum / valIdx.length, metrics.result());
  }

  /** Loads the checkpoint if there is one; returns its epoch, or 0. */
  private int resume() throws TrainingException {
    Checkpoints.Restored r = new Checkpoints(config.checkpointDir(), network, config.seed()).resume(config.keepBest());
    if (r == null) {
      return 0;
    }
    history.clear();
    history.addAll(r.history());
    if (r.bestEpoch() > 0) {
      bestEpoch = r.bestEpoch();
      bestValue = history.get(bestEpoch - 1).metrics().get(selectionMetric());
      bestWeights = r.bestWeights();
    }
    return r.epoch();
  }

  /**
   * Writes the trained model to {@code dir}: weights and a {@code model.json} that
   * {@link ModelManifest#read} and {@link DjlModels} load.
   *
   * @param name the model's name, or null for the trainer's default
   * @param input the input space the training data was brought into, or null when only the training
   *     size is known
   * @throws IllegalStateException before {@link #fit}
   * @throws TrainingException if a file cannot be written
   */
  public void save(Path dir, String name, ModelManifest.Input input) throws TrainingException {
    if (lastData == null) {
      throw new IllegalStateException("save() needs a fitted model: call fit() first");
    }
    ModelManifestBuilder manifest = describe(lastData);
    if (name != null) {
      manifest.setName(name);
    }
    if (input != null) {
      manifest.optInput(input);
    }
    try {
      DjlModels.save(network, dir, manifest);
    } catch (IOException e) {
      throw new TrainingException(dir + ": cannot save model: " + e.getMessage(), e);
    }
  }

  /** {@link #save(Path, String, ModelManifest.Input)} with the trainer's default name and input. */
  public void save(Path dir) throws TrainingException {
    save(dir, null, null);
  }

  /** The default input of a model trained at {@code height x width}: the manifest defaults at that size. */
  static ModelManifest.Input inputOfSize(int height, int width) {
    ModelManifest.Input d = ModelManifest.Input.DEFAULT;
    return new ModelManifest.Input(d.orientation(), d.spacingMm(), new int[] {height, width}, d.huWindow(),
        d.range(), d.layout(), d.depthMultiple(), d.minDepth());
  }

  /** The data of the current or last {@link #fit}, or null before the first. */
  protected D fitData() {
    return lastData;
  }

  /** The network being trained (owned by this trainer). */
  public DjlNetwork network() {
    return network;
  }

  public TrainConfig config() {
    return config;
  }

  @Override
  public void close() {
    network.close();
  }

  static Map<String, Double> ordered() {
    return new LinkedHashMap<>();
  }
}
