package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrainConfig#keepBest()}: the kept weights are those a run stopped at the best epoch ends with. */
class KeepBestTest {
  private static final int EPOCHS = 8;

  @TempDir Path tmp;

  private static Classifier3d args() {
    return Classifier3d.DEFAULTS.withBaseChannels(4).withLevels(2).withOutputs(2);
  }

  private static TrainConfig.Builder config(int epochs) {
    // A high learning rate on a small set: validation AUC goes up and down, so the best is not the last.
    return TrainConfig.builder().epochs(epochs).batchSize(2).learningRate(3e-2).seed(5).validationFraction(0.25);
  }

  private static byte[] trainedWeights(TrainConfig config, LabelledVolumes data) throws Exception {
    try (ClassifierTrainer t = new ClassifierTrainer(config, args())) {
      t.fit(data, ProgressListener.NONE);
      return t.network().parameterBytes();
    }
  }

  @Test
  void keepsTheWeightsOfTheEpochWithTheBestValidationMetric() throws Exception {
    LabelledVolumes data = Synthetic.blobs(16, 8, 3);
    byte[] kept;
    int selected;
    try (ClassifierTrainer t = new ClassifierTrainer(config(EPOCHS).keepBest(true).build(), args())) {
      List<ProgressListener.EpochReport> history = t.fit(data, ProgressListener.NONE);
      int best = 1;
      for (ProgressListener.EpochReport r : history) {
        if (r.metrics().get("auc_mean") > history.get(best - 1).metrics().get("auc_mean")) {
          best = r.epoch();
        }
      }
      selected = t.selectedEpoch();
      assertEquals(best, selected, history.toString());
      assertTrue(selected < EPOCHS, "the set-up must make an earlier epoch best: " + history);
      kept = t.network().parameterBytes();
    }
    // Independent computation: a run of exactly that many epochs (same seed) ends with these weights.
    assertArrayEquals(trainedWeights(config(selected).build(), data), kept);
    assertFalse(java.util.Arrays.equals(trainedWeights(config(EPOCHS).build(), data), kept),
        "the last epoch's weights differ");

    // Interrupted after the best epoch and resumed: the same weights are kept.
    Path checkpoints = tmp.resolve("ckpt");
    int stop = Math.min(EPOCHS - 1, selected + 1);
    trainedWeights(config(stop).keepBest(true).checkpointDir(checkpoints).build(), data);
    assertArrayEquals(kept,
        trainedWeights(config(EPOCHS).keepBest(true).checkpointDir(checkpoints).resume(true).build(), data));
  }

  @Test
  void keepingTheBestNeedsAValidationSplit() {
    assertThrows(IllegalArgumentException.class, () -> config(2).validationFraction(0).keepBest(true).build());
  }
}
