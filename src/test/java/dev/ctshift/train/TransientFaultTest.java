package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A training step whose loss or gradients come out non-finite once is computed again on the same weights
 * and batch; one that does so twice stops the training.
 */
class TransientFaultTest {
  private static final int SIZE = 8;

  /** A one-output classifier trained by squared error; its loss is NaN on the calls listed in {@code faulty}. */
  private static final class FaultyTrainer extends NetworkTrainer<LabelledVolumes, Batch> {
    private final java.util.Set<Integer> faulty;
    private int calls;

    FaultyTrainer(java.util.Set<Integer> faulty) {
      super(TrainConfig.builder().epochs(2).batchSize(4).seed(7).validationFraction(0).build(),
          Classifier3d.DEFAULTS.withBaseChannels(2).withLevels(2));
      this.faulty = faulty;
    }

    @Override
    protected NDArray trainingLoss(NDArray input, Batch batch) {
      NDArray loss = super.trainingLoss(input, batch);
      return faulty.contains(++calls) ? loss.mul(Float.NaN) : loss;
    }

    @Override
    protected int size(LabelledVolumes data) {
      return data.volumes().size();
    }

    @Override
    protected void check(LabelledVolumes data) {}

    @Override
    protected Batch batch(NDManager manager, LabelledVolumes data, int[] indices) {
      float[] target = new float[indices.length];
      for (int i = 0; i < indices.length; i++) {
        target[i] = data.labels().get(indices[i])[0];
      }
      return new Batch(VolumeBatches.volumes(manager, data.volumes(), indices),
          manager.create(target, new Shape(indices.length, 1)));
    }

    @Override
    protected NDArray loss(NDList output, Batch batch) {
      return output.get(0).sub(batch.target()).square().mean();
    }

    @Override
    protected String selectionMetric() {
      return "none";
    }

    @Override
    protected MetricAccumulator newMetrics(LabelledVolumes data) {
      return new MetricAccumulator() {
        @Override
        public void add(NDArray output, NDArray target) {}

        @Override
        public Map<String, Double> result() {
          return Map.of();
        }
      };
    }

    @Override
    protected ModelManifestBuilder describe(LabelledVolumes data) {
      return ModelManifest.builder().setName("faulty");
    }
  }

  private static byte[] trainedWeights(java.util.Set<Integer> faulty) throws Exception {
    try (FaultyTrainer t = new FaultyTrainer(faulty)) {
      t.fit(Synthetic.blobs(8, SIZE, 3), ProgressListener.NONE);
      return t.network().parameterBytes();
    }
  }

  @Test
  void aStepThatFailsOnceIsRepeatedAndTrainingEndsWhereItWouldHaveWithoutTheFault() throws Exception {
    byte[] clean = trainedWeights(java.util.Set.of());
    // Call 3 is the first try of step 3; its repeat is call 4, and every later step is one call later.
    byte[] repeated = trainedWeights(java.util.Set.of(3));
    assertArrayEquals(clean, repeated);
  }

  @Test
  void aStepThatFailsTwiceStopsTheTraining() {
    TrainingException e = assertThrows(TrainingException.class, () -> trainedWeights(java.util.Set.of(2, 3)));
    assertTrue(e.getMessage().contains("epoch 1, step 2"), e.getMessage());
    assertEquals(true, e.getMessage().contains("NaN"), e.getMessage());
  }
}
