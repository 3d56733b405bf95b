package dev.ctshift.train;

import ai.djl.Device;
import java.nio.file.Path;

/**
 * Settings shared by all trainers.
 *
 * @param epochs number of passes over the training split (the last epoch number, when resuming)
 * @param batchSize samples per step (the last step of an epoch may be smaller)
 * @param learningRate Adam learning rate
 * @param seed seeds the engine (weight initialisation) and the split and shuffles: equal seeds and
 *     data give identical losses
 * @param validationFraction share of the samples held out for validation, in [0, 1); at least one
 *     sample when positive
 * @param checkpointDir where {@code last.params} and {@code last.json} are written after each
 *     epoch, or null for none
 * @param resume continue from the checkpoint in {@code checkpointDir} if there is one
 * @param keepBest end with the weights of the epoch whose validation metric was best (early
 *     stopping by selection) instead of those of the last epoch; needs a validation split
 * @param adversarialL2 when above 0, every training batch is first moved by one step of this L2 length
 *     (per sample, in model units) up the gradient of the loss, and the weights are trained on the moved
 *     batch: adversarial training, which makes the model robust to small changes of its input
 * @param device where the network and batches live
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    double learningRate,
    long seed,
    double validationFraction,
    Path checkpointDir,
    boolean resume,
    boolean keepBest,
    double adversarialL2,
    Device device) {

  /** @throws IllegalArgumentException naming the first invalid setting */
  public TrainConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
    }
    if (resume && checkpointDir == null) {
      throw new IllegalArgumentException("resume needs a checkpoint directory");
    }
    if (keepBest && validationFraction == 0) {
      throw new IllegalArgumentException("keeping the best epoch needs a validation fraction above 0");
    }
    if (!(adversarialL2 >= 0) || Double.isInfinite(adversarialL2)) {
      throw new IllegalArgumentException("adversarial step length must be >= 0, got " + adversarialL2);
    }
    if (device == null) {
      device = Device.cpu();
    }
  }

  /** A builder with defaults: 10 epochs, batch 8, learning rate 1e-3, seed 0, 20% validation, CPU. */
  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder of {@link TrainConfig}. */
  public static final class Builder {
    private int epochs = 10;
    private int batchSize = 8;
    private double learningRate = 1e-3;
    private long seed;
    private double validationFraction = 0.2;
    private Path checkpointDir;
    private boolean resume;
    private boolean keepBest;
    private double adversarialL2;
    private Device device = Device.cpu();

    private Builder() {}

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder learningRate(double v) {
      learningRate = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder validationFraction(double v) {
      validationFraction = v;
      return this;
    }

    public Builder checkpointDir(Path v) {
      checkpointDir = v;
      return this;
    }

    public Builder resume(boolean v) {
      resume = v;
      return this;
    }

    public Builder keepBest(boolean v) {
      keepBest = v;
      return this;
    }

    public Builder adversarialL2(double v) {
      adversarialL2 = v;
      return this;
    }

    public Builder device(Device v) {
      device = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the first invalid setting */
    public TrainConfig build() {
      return new TrainConfig(epochs, batchSize, learningRate, seed, validationFraction, checkpointDir,
          resume, keepBest, adversarialL2, device);
    }
  }
}
