package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link GradientPenalty}: the penalised loss, its weight gradients, and what it teaches. */
class GradientPenaltyTest {
  private static final int SIZE = 8;

  private static Classifier3d classmapArgs(int outputs) {
    return Classifier3d.DEFAULTS.withBaseChannels(4).withLevels(2).withHead("classmap").withOutputs(outputs);
  }

  /** Balls with two outputs that both have the ball as their region (the penalty loops over outputs). */
  private static LabelledVolumes twoOutputBalls(int n, long seed) {
    LabelledVolumes balls = Synthetic.ballsWithRegions(n, SIZE, seed);
    List<float[]> labels = new ArrayList<>();
    balls.labels().forEach(row -> labels.add(new float[] {row[0], row[0]}));
    return new LabelledVolumes(balls.volumes(), List.of("ball", "again"), labels, balls.regions(), new int[] {1, 1});
  }

  @ParameterizedTest(name = "relative {0}")
  @ValueSource(booleans = {false, true})
  void lossAddsTheSquaredInputGradientOutsideTheDilatedFindingOfScansThatHaveIt(boolean relative)
      throws Exception {
    LabelledVolumes data = twoOutputBalls(4, 5);
    double weight = 0.3;
    int margin = 1;
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(2).seed(3).validationFraction(0).build();
    try (ClassifierTrainer penalised = new ClassifierTrainer(config, classmapArgs(2),
            new ClassifierOptions(0.5, null, 0, new GradientPenalty(weight, margin, relative)));
        NDManager m = NDManager.newBaseManager()) {
      penalised.fit(data, ProgressListener.NONE);
      int[] idx = {0, 1, 2}; // scans 0 and 2 have a ball, 1 has none
      ClassifierBatch batch = penalised.batch(m, data, idx);
      double actual;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        actual = penalised.trainingLoss(batch.input(), batch).getFloat();
      }
      // Independently: the plain loss, and each output's input gradient by an ordinary backward pass,
      // squared and summed over the voxels farther than the margin from the ball (loops, not pooling);
      // relative: that sum over the scan's whole sum of squares.
      double plain = penalised.lossOf(batch.input(), batch);
      double squares = 0;
      for (int k = 0; k < 2; k++) {
        float[] g = inputGradient(penalised, batch.input(), k);
        for (int b = 0; b < idx.length; b++) {
          int[] region = data.regions().get(idx[b]);
          if (data.labels().get(idx[b])[k] == 0) {
            continue;
          }
          double outside = 0;
          double all = 0;
          for (int i = 0; i < region.length; i++) {
            double square = (double) g[b * region.length + i] * g[b * region.length + i];
            all += square;
            outside += near(region, i, margin) ? 0 : square;
          }
          assertTrue(outside > 1e-8 && outside < all, "part of the gradient is outside the ball: " + outside);
          squares += relative ? outside / all : outside;
        }
      }
      double expected = plain + weight * squares / idx.length;
      assertEquals(expected, actual, 1e-4 * Math.abs(expected), "plain " + plain + ", squares " + squares);
    }
  }

  @ParameterizedTest(name = "relative {0}")
  @ValueSource(booleans = {false, true})
  void outputLayerGradientMatchesCentralDifferencesOfThePenalisedLoss(boolean relative) throws Exception {
    // The output layer's weights do not move any ReLU gate, so the penalised loss is smooth in them
    // and central differences are a fair reference (in earlier layers a gate that flips makes the
    // input gradient, and so the penalty, jump).
    LabelledVolumes data = twoOutputBalls(4, 6);
    double weight = 2.0;
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(2).seed(4).validationFraction(0).build();
    try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(2),
            new ClassifierOptions(0, null, 0, new GradientPenalty(weight, 1, relative)));
        NDManager m = NDManager.newBaseManager()) {
      t.fit(data, ProgressListener.NONE);
      ClassifierBatch batch = t.batch(m, data, new int[] {0, 1, 2, 3});
      List<Block> layers = new ArrayList<>(t.network().block().getChildren().values());
      // The last layer with weights: the 1x1x1 convolution to the evidence maps (a smooth maximum follows).
      List<Parameter> head = new ArrayList<>();
      for (int i = layers.size() - 1; i >= 0 && head.isEmpty(); i--) {
        head.addAll(layers.get(i).getParameters().values());
      }
      assertTrue(!head.isEmpty(), "the output layer has weights");
      List<double[]> gradients = new ArrayList<>();
      try (NDManager step = m.newSubManager()) {
        ClassifierBatch copy = copy(batch, step);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(t.trainingLoss(copy.input(), copy));
        }
        for (Parameter p : head) {
          try (NDArray g = t.weightGradient(p)) {
            gradients.add(toDoubles(g.toFloatArray()));
          }
        }
      }
      double penaltyShare = 0;
      Random r = new Random(9);
      for (int trial = 0; trial < 3; trial++) {
        List<NDArray> direction = new ArrayList<>();
        double norm = 0;
        for (Parameter p : head) {
          float[] u = new float[(int) p.getArray().size()];
          for (int i = 0; i < u.length; i++) {
            u[i] = (float) r.nextGaussian();
            norm += u[i] * u[i];
          }
          direction.add(m.create(u, p.getArray().getShape()));
        }
        double analytic = 0;
        for (int j = 0; j < head.size(); j++) {
          direction.set(j, direction.get(j).div((float) Math.sqrt(norm)));
          float[] u = direction.get(j).toFloatArray();
          for (int i = 0; i < u.length; i++) {
            analytic += gradients.get(j)[i] * u[i];
          }
        }
        double h = 1e-3;
        double numeric = (shiftedLoss(t, head, direction, h, batch, m) - shiftedLoss(t, head, direction, -h, batch, m))
            / (2 * h);
        double plain = (shiftedPlainLoss(t, head, direction, h, batch) - shiftedPlainLoss(t, head, direction, -h, batch))
            / (2 * h);
        assertEquals(numeric, analytic, 0.02 * Math.abs(numeric) + 1e-4, "direction " + trial);
        penaltyShare = Math.max(penaltyShare, Math.abs(numeric - plain) / Math.abs(numeric));
      }
      assertTrue(penaltyShare > 0.1, "the penalty moves these derivatives: " + penaltyShare);
    }
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** The penalised loss with the given weights moved by {@code h} times their direction. */
  private static double shiftedLoss(ClassifierTrainer t, List<Parameter> params, List<NDArray> direction, double h,
      ClassifierBatch batch, NDManager m) {
    move(params, direction, h);
    double loss;
    try (NDManager step = m.newSubManager()) {
      ClassifierBatch copy = copy(batch, step);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        loss = t.trainingLoss(copy.input(), copy).getFloat();
      }
    }
    move(params, direction, -h);
    return loss;
  }

  /** The loss without the penalty, weights moved likewise. */
  private static double shiftedPlainLoss(ClassifierTrainer t, List<Parameter> params, List<NDArray> direction,
      double h, ClassifierBatch batch) {
    move(params, direction, h);
    double loss = t.lossOf(batch.input(), batch);
    move(params, direction, -h);
    return loss;
  }

  /** Fresh copies of the batch's arrays in {@code manager}, so that a step's graph frees with it. */
  private static ClassifierBatch copy(ClassifierBatch b, NDManager manager) {
    NDArray[] parts = {b.input(), b.labels(), b.regionTargets(), b.supervised(), b.labelWeights(), b.penaltyMask()};
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] != null) {
        parts[i] = parts[i].duplicate();
        parts[i].attach(manager);
      }
    }
    return new ClassifierBatch(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]);
  }

  private static void move(List<Parameter> params, List<NDArray> direction, double h) {
    for (int j = 0; j < params.size(); j++) {
      params.get(j).getArray().addi(direction.get(j).mul((float) h));
    }
  }

  @ParameterizedTest(name = "relative {0}")
  @ValueSource(booleans = {false, true})
  void teachesTheClassifierToIgnoreADecoyOutsideTheFinding(boolean relative) throws Exception {
    // The label is written twice: a ball (the finding, with its region) and a bright corner (a decoy
    // outside it, present exactly when the ball is). Trained without the penalty, part of the
    // classifier's gradient lies on the decoy; with it, far less.
    LabelledVolumes train = withDecoy(Synthetic.ballsWithRegions(32, SIZE, 11));
    LabelledVolumes test = withDecoy(Synthetic.ballsWithRegions(8, SIZE, 12));
    double plain = decoyShare(train, test, GradientPenalty.NONE);
    double penalised = decoyShare(train, test, new GradientPenalty(1.0, 1, relative));
    assertTrue(plain > 0.1, "without the penalty the decoy draws the gradient: " + plain);
    assertTrue(penalised < plain / 3, "with it, much less: " + penalised + " against " + plain);
  }

  @Test
  void invalidPenaltiesAndMissingRegionsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GradientPenalty(-1, 1, false));
    assertThrows(IllegalArgumentException.class, () -> new GradientPenalty(Double.NaN, 1, false));
    assertThrows(IllegalArgumentException.class, () -> new GradientPenalty(1, -1, false));
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(2).seed(1).validationFraction(0).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(2),
          ClassifierOptions.DEFAULTS.withPenalty(new GradientPenalty(1, 1, false)))) {
        t.fit(Synthetic.blobs(4, SIZE, 1), ProgressListener.NONE);
      }
    });
    assertTrue(e.getMessage().contains("needs finding regions"), e.getMessage());
  }

  /** The 2x2x2 corner at the origin set to 1 in every scan that has the ball. */
  private static LabelledVolumes withDecoy(LabelledVolumes balls) {
    List<float[]> volumes = new ArrayList<>();
    for (int i = 0; i < balls.volumes().size(); i++) {
      float[] v = balls.volumes().volume(i).clone();
      if (balls.labels().get(i)[0] == 1) {
        for (int d = 0; d < 2; d++) {
          for (int h = 0; h < 2; h++) {
            for (int w = 0; w < 2; w++) {
              v[w + SIZE * (h + SIZE * d)] = 1f;
            }
          }
        }
      }
      volumes.add(v);
    }
    return new LabelledVolumes(VolumeDataset.of(SIZE, SIZE, SIZE, volumes), balls.labelNames(), balls.labels(),
        balls.regions(), balls.regionClass());
  }

  /** Trains on {@code train}; the share of the squared input gradient on the decoy, over {@code test}'s positives. */
  private static double decoyShare(LabelledVolumes train, LabelledVolumes test, GradientPenalty penalty)
      throws Exception {
    TrainConfig config = TrainConfig.builder().epochs(12).batchSize(4).learningRate(5e-3).seed(2)
        .validationFraction(0).build();
    try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(1),
        new ClassifierOptions(0, null, 0, penalty));
        NDManager m = NDManager.newBaseManager()) {
      t.fit(train, ProgressListener.NONE);
      // It has learnt the balls (with the decoy in place, as trained).
      ClassifierBatch everyScan = t.batch(m, test, java.util.stream.IntStream.range(0, test.volumes().size()).toArray());
      float[] logits = t.forward(everyScan.input(), false).head().toFloatArray();
      double[] scores = new double[logits.length];
      boolean[] positive = new boolean[logits.length];
      for (int i = 0; i < logits.length; i++) {
        scores[i] = logits[i];
        positive[i] = test.labels().get(i)[0] == 1;
      }
      assertTrue(Metrics.rocAuc(scores, positive) > 0.9, "test AUC " + Metrics.rocAuc(scores, positive));
      int[] positives = java.util.stream.IntStream.range(0, test.volumes().size())
          .filter(i -> test.labels().get(i)[0] == 1).toArray();
      ClassifierBatch batch = t.batch(m, test, positives);
      float[] g = inputGradient(t, batch.input(), 0);
      double decoy = 0;
      double all = 0;
      int voxels = SIZE * SIZE * SIZE;
      for (int i = 0; i < g.length; i++) {
        int j = i % voxels;
        int d = j / (SIZE * SIZE);
        int h = j / SIZE % SIZE;
        int w = j % SIZE;
        double s = (double) g[i] * g[i];
        all += s;
        decoy += d < 2 && h < 2 && w < 2 ? s : 0;
      }
      return decoy / all;
    }
  }

  /** d(sum of output k's logits)/d(input) by one ordinary backward pass. */
  private static float[] inputGradient(ClassifierTrainer t, NDArray input, int k) {
    NDArray leaf = input.duplicate();
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(t.forward(leaf, true).head().get(":, {}", k).sum());
    }
    t.clearWeightGradients();
    return leaf.getGradient().toFloatArray();
  }

  /** Whether voxel i of a SIZE^3 region lies within {@code margin} (Chebyshev) of a region voxel. */
  private static boolean near(int[] region, int i, int margin) {
    int d = i / (SIZE * SIZE);
    int h = i / SIZE % SIZE;
    int w = i % SIZE;
    for (int dd = Math.max(0, d - margin); dd <= Math.min(SIZE - 1, d + margin); dd++) {
      for (int hh = Math.max(0, h - margin); hh <= Math.min(SIZE - 1, h + margin); hh++) {
        for (int ww = Math.max(0, w - margin); ww <= Math.min(SIZE - 1, w + margin); ww++) {
          if (region[ww + SIZE * (hh + SIZE * dd)] > 0) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
