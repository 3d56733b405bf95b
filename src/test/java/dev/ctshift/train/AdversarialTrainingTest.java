package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link TrainConfig#adversarialL2()}: each training sample moves by that L2 length up its loss gradient. */
class AdversarialTrainingTest {
  private static final double EPS = 0.3;

  @Test
  void eachSampleMovesByEpsAlongTheGradientOfTheLoss() throws Exception {
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(2).seed(4).adversarialL2(EPS).build();
    LabelledVolumes data = Synthetic.blobs(4, 8, 3);
    try (ClassifierTrainer t = new ClassifierTrainer(config, 
            Classifier3d.DEFAULTS.withBaseChannels(4).withLevels(2).withOutputs(2));
        NDManager m = NDManager.newBaseManager()) {
      ClassifierBatch batch = t.batch(m, data, new int[] {0, 1});
      // Squeezed into [0.2, 0.8], so that the clipping to the model range leaves the step whole.
      NDArray x = batch.input().clip(-0.2, 1.2).mul(0.5).add(0.2);
      NDArray delta = t.adversarial(x, batch).sub(x);
      assertTrue(x.add(delta).min().getFloat() > 0 && x.add(delta).max().getFloat() < 1, "no clipping here");
      for (int b = 0; b < 2; b++) {
        assertEquals(EPS, delta.get(b).norm().getFloat(), 1e-4, "L2 length of sample " + b);
      }
      // Independent computation: directional derivatives of the loss by central differences. Along
      // sample 0's own step the derivative is |g_0|; along any direction u within sample 0 it is
      // <g_0, u> = <delta_0, u> |g_0| / EPS if delta_0 points along g_0.
      NDArray own = onlySample0(delta).div(EPS);
      double gradNorm = derivative(t, x, own, batch);
      assertTrue(gradNorm > 1e-3, "the loss has a gradient: " + gradNorm);
      Random r = new Random(1);
      for (int k = 0; k < 4; k++) {
        float[] u = new float[(int) x.size()];
        for (int i = 0; i < u.length / 2; i++) {
          u[i] = (float) r.nextGaussian();
        }
        NDArray dir = m.create(u, x.getShape());
        dir = dir.div(dir.norm().getFloat());
        double expected = derivative(t, x, dir, batch);
        double predicted = delta.mul(dir).sum().getFloat() * gradNorm / EPS;
        assertEquals(expected, predicted, 0.05 * gradNorm, "direction " + k);
      }
      assertTrue(t.lossOf(x.add(delta), batch) > t.lossOf(x, batch), "the move raises the loss");
    }
  }

  private static NDArray onlySample0(NDArray a) {
    NDArray copy = a.duplicate();
    copy.set(new NDIndex("1:"), 0f);
    return copy;
  }

  private static double derivative(ClassifierTrainer t, NDArray x, NDArray dir, ClassifierBatch batch) {
    double h = 1e-2;
    return (t.lossOf(x.add(dir.mul(h)), batch) - t.lossOf(x.sub(dir.mul(h)), batch)) / (2 * h);
  }

  @Test
  void negativeStepsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().adversarialL2(-1).build());
    assertTrue(List.of(0.0).contains(TrainConfig.builder().build().adversarialL2()), "off by default");
  }
}
