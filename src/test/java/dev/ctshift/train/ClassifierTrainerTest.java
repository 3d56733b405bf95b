package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.model.djl.DjlModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainerTest {
  @TempDir Path tmp;

  private static Classifier3d args(int outputs) {
    return Classifier3d.DEFAULTS.withBaseChannels(4).withLevels(2).withOutputs(outputs);
  }

  @Test
  void learnsBlobsAndReloadsToIdenticalOutputs() throws Exception {
    LabelledVolumes data = Synthetic.blobs(16, 8, 3);
    TrainConfig config = TrainConfig.builder().epochs(10).batchSize(2).learningRate(1e-2).seed(2)
        .validationFraction(0.25).build();
    Synthetic.Recorder rec = new Synthetic.Recorder();
    try (ClassifierTrainer t = new ClassifierTrainer(config, args(2));
        NDManager m = NDManager.newBaseManager()) {
      List<ProgressListener.EpochReport> history = t.fit(data, rec);
      rec.losses.forEach(l -> assertTrue(Double.isFinite(l)));
      ProgressListener.EpochReport last = history.get(history.size() - 1);
      assertTrue(last.trainLoss() < 0.8 * history.get(0).trainLoss(), history.toString());
      assertEquals(List.of("auc_blob", "auc_dark", "auc_mean"), List.copyOf(last.metrics().keySet()));
      // The darkened half is an easy cue: the validation AUC must beat chance clearly.
      assertTrue(last.metrics().get("auc_dark") > 0.75, last.toString());

      Path out = tmp.resolve("model");
      t.save(out);
      ModelManifest manifest = ModelManifest.read(out);
      assertEquals(List.of("blob", "dark"), manifest.outputs());
      assertEquals(ModelManifest.Activation.SIGMOID, manifest.activation());
      NDArray x = m.create(data.volumes().volume(0), new Shape(1, 1, 8, 8, 8));
      float[] expected = t.network().block().forward(t.network().parameterStore(), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      try (VolumeModel model = DjlModels.loadVolumeModel(manifest, Device.cpu())) {
        assertArrayEquals(expected, model.forward(x, false).toFloatArray(), 0f);
      }
    }
  }

  private static Classifier3d classmapArgs(int outputs) {
    return args(outputs).withHead("classmap");
  }

  @Test
  void regionLossIsOutputCrossEntropyPlusBalancedCellCrossEntropyAgainstTheMaxPooledRegion() throws Exception {
    // Two outputs, only the first with a region: the second's cells must not count.
    LabelledVolumes balls = Synthetic.ballsWithRegions(4, 8, 5);
    List<float[]> labels = new java.util.ArrayList<>();
    balls.labels().forEach(row -> labels.add(new float[] {row[0], 1 - row[0]}));
    LabelledVolumes data = new LabelledVolumes(balls.volumes(), List.of("ball", "none"), labels,
        balls.regions(), new int[] {1, 0});
    double weight = 0.7;
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(2).seed(3).validationFraction(0).build();
    try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(2),
        ClassifierOptions.DEFAULTS.withRegionWeight(weight));
        NDManager m = NDManager.newBaseManager()) {
      t.fit(data, ProgressListener.NONE);
      int[] idx = {0, 1, 2};
      ClassifierBatch batch = t.batch(m, data, idx);
      NDList out = t.forward(batch.input(), false);
      float[] logits = out.get(0).toFloatArray();
      // The logits are those of the saved network's plain forward pass.
      assertArrayEquals(t.network().block().forward(t.network().parameterStore(), new NDList(batch.input()),
          false).singletonOrThrow().toFloatArray(), logits, 1e-6f);
      NDArray maps = out.get(1);
      assertEquals(new Shape(3, 2, 4, 4, 4), maps.getShape(), "levels 2: one pooling, 8 -> 4");
      float[] cells = maps.toFloatArray();

      double outputLoss = 0;
      for (int b = 0; b < idx.length; b++) {
        for (int k = 0; k < 2; k++) {
          outputLoss += bce(logits[b * 2 + k], labels.get(idx[b])[k]);
        }
      }
      outputLoss /= idx.length * 2;
      // Only output 0 has a region: mean loss of its cells inside the region and outside, averaged.
      double[] sum = new double[2];
      int[] count = new int[2];
      for (int b = 0; b < idx.length; b++) {
        int[] region = data.regions().get(idx[b]);
        for (int cd = 0; cd < 4; cd++) {
          for (int ch = 0; ch < 4; ch++) {
            for (int cw = 0; cw < 4; cw++) {
              int inside = cellHoldsRegion(region, 8, cd, ch, cw) ? 1 : 0;
              sum[inside] += bce(cells[((b * 2) * 4 + cd) * 16 + ch * 4 + cw], inside);
              count[inside]++;
            }
          }
        }
      }
      assertTrue(count[1] > 0 && count[0] > 0, "the batch has cells inside and outside the ball");
      double cellLoss = (sum[1] / count[1] + sum[0] / count[0]) / 2;
      double expected = outputLoss + weight * cellLoss;
      assertEquals(expected, t.loss(out, batch).getFloat(), 1e-5 * expected);
    }
  }

  @Test
  void labelSmoothingTrainsTowardSoftenedTargets() throws Exception {
    // The loss against smoothed targets, in float64; and the optimum it sets: an output trained long
    // on a constant label settles near logit(1 - eps/2), not at ever larger logits.
    LabelledVolumes data = Synthetic.blobs(8, 8, 4);
    double eps = 0.2;
    TrainConfig config = TrainConfig.builder().epochs(1).batchSize(4).seed(3).validationFraction(0).build();
    try (ClassifierTrainer t = new ClassifierTrainer(config, args(2), ClassifierOptions.DEFAULTS.withLabelSmoothing(eps));
        NDManager m = NDManager.newBaseManager()) {
      int[] idx = {0, 1, 2, 3};
      ClassifierBatch batch = t.batch(m, data, idx);
      NDList out = t.forward(batch.input(), false);
      float[] logits = out.get(0).toFloatArray();
      double expected = 0;
      for (int b = 0; b < idx.length; b++) {
        for (int k = 0; k < 2; k++) {
          double y = data.labels().get(idx[b])[k] * (1 - eps) + eps / 2;
          expected += bce(logits[b * 2 + k], y);
        }
      }
      expected /= idx.length * 2;
      assertEquals(expected, t.loss(out, batch).getFloat(), 1e-6 * expected);
    }

    List<float[]> ones = new java.util.ArrayList<>();
    data.labels().forEach(row -> ones.add(new float[] {1f}));
    LabelledVolumes allPositive = new LabelledVolumes(data.volumes(), List.of("always"), ones);
    TrainConfig longer = TrainConfig.builder().epochs(60).batchSize(4).learningRate(0.05).seed(3)
        .validationFraction(0).build();
    try (ClassifierTrainer t = new ClassifierTrainer(longer, args(1), ClassifierOptions.DEFAULTS.withLabelSmoothing(eps));
        NDManager m = NDManager.newBaseManager()) {
      t.fit(allPositive, ProgressListener.NONE);
      ClassifierBatch batch = t.batch(m, allPositive, new int[] {0, 1, 2, 3, 4, 5, 6, 7});
      double optimum = Math.log((1 - eps / 2) / (eps / 2)); // logit(0.9) = 2.197
      for (float z : t.forward(batch.input(), false).get(0).toFloatArray()) {
        assertEquals(optimum, z, 0.25, "the logit settles at the smoothed target");
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new ClassifierTrainer(config, args(1), ClassifierOptions.DEFAULTS.withLabelSmoothing(1)));
  }

  /** Whether the 2x2x2 cell (cd, ch, cw) of a cube of side {@code size} holds a voxel of class 1. */
  private static boolean cellHoldsRegion(int[] region, int size, int cd, int ch, int cw) {
    for (int v = 0; v < 8; v++) {
      int d = 2 * cd + (v >> 2);
      int h = 2 * ch + ((v >> 1) & 1);
      int w = 2 * cw + (v & 1);
      if (region[w + size * (h + size * d)] == 1) {
        return true;
      }
    }
    return false;
  }

  private static double bce(double z, double y) {
    return Math.log1p(Math.exp(-z)) + (1 - y) * z;
  }

  @Test
  void regionSupervisionPutsTheStrongestEvidenceOnTheFinding() throws Exception {
    LabelledVolumes train = Synthetic.ballsWithRegions(32, 8, 11);
    LabelledVolumes test = Synthetic.ballsWithRegions(16, 8, 12);
    TrainConfig config = TrainConfig.builder().epochs(15).batchSize(4).learningRate(2e-2).seed(4)
        .validationFraction(0).build();
    try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(1));
        NDManager m = NDManager.newBaseManager()) {
      t.fit(train, ProgressListener.NONE);
      int onBall = 0;
      int positives = 0;
      for (int i = 0; i < test.volumes().size(); i += 2) {
        positives++;
        NDArray maps = t.forward(t.batch(m, test, new int[] {i}).input(), false).get(1);
        int best = (int) maps.argMax().getLong();
        int cd = best / 16;
        int ch = best / 4 % 4;
        int cw = best % 4;
        onBall += cellHoldsRegion(test.regions().get(i), 8, cd, ch, cw) ? 1 : 0;
      }
      // A ball touches at most 8 of the 64 cells: chance is at most 1 in 8.
      assertTrue(onBall >= positives - 1, onBall + " of " + positives + " maxima on the ball");
    }
  }

  @Test
  void cropEpochsDrawBlocksOfTheVolumesLabelledByTheFindingInsideHalfOfThemAroundIt() throws Exception {
    // Balls of radius 1.5 in 16^3 volumes, crops of 8^3: a crop placed at random holds the ball about
    // a quarter of the time, one centred on it always, so with half centred clearly more than half do.
    LabelledVolumes balls = Synthetic.ballsWithRegions(8, 16, 7);
    List<float[]> labels = new java.util.ArrayList<>();
    balls.labels().forEach(row -> labels.add(new float[] {row[0], 1}));
    LabelledVolumes data = new LabelledVolumes(balls.volumes(), List.of("ball", "other"), labels,
        balls.regions(), new int[] {1, 0});
    FindingCrops crops = new FindingCrops(1, 3, 8, 8, 8);
    int[] idx = {0, 1, 2, 3, 4, 5, 6, 7};
    int withBall = 0;
    int fromBallVolumes = 0;
    try (ClassifierTrainer t = new ClassifierTrainer(TrainConfig.builder().build(), classmapArgs(2),
        ClassifierOptions.DEFAULTS.withCrops(crops));
        NDManager m = NDManager.newBaseManager()) {
      assertEquals(3, t.draws(1));
      assertEquals(1, t.draws(2));
      java.util.Random random = new java.util.Random(9);
      for (int draw = 0; draw < 50; draw++) {
        ClassifierBatch batch = t.trainingBatch(m, data, idx, 1, random);
        assertEquals(new Shape(8, 1, 8, 8, 8), batch.input().getShape());
        assertEquals(new Shape(8, 2, 4, 4, 4), batch.regionTargets().getShape(), "region targets on the crop's map grid");
        assertArrayEquals(new float[] {1, 0}, batch.labelWeights().toFloatArray(), "only the output with a region counts");
        float[] input = batch.input().toFloatArray();
        float[] present = batch.labels().toFloatArray();
        for (int b = 0; b < idx.length; b++) {
          float[] crop = java.util.Arrays.copyOfRange(input, b * 512, (b + 1) * 512);
          int[] origin = findBlock(data.volumes().volume(idx[b]), 16, crop, 8);
          boolean ball = blockHolds(data.regions().get(idx[b]), 16, origin, 8);
          assertEquals(ball ? 1f : 0f, present[b * 2], "crop " + b + " at " + java.util.Arrays.toString(origin));
          if (b % 2 == 0) {
            fromBallVolumes++;
            withBall += ball ? 1 : 0;
          }
        }
      }
      ClassifierBatch later = t.trainingBatch(m, data, idx, 2, random);
      assertEquals(new Shape(8, 1, 16, 16, 16), later.input().getShape(), "after the crop epochs: whole volumes");
      assertArrayEquals(t.batch(m, data, idx).input().toFloatArray(), later.input().toFloatArray(), 0f);
    }
    assertTrue(withBall > 0.55 * fromBallVolumes, withBall + " of " + fromBallVolumes + " crops hold the ball");
  }

  /** Where the cube {@code block} of side {@code n} lies in the cube {@code volume} of side {@code size}. */
  private static int[] findBlock(float[] volume, int size, float[] block, int n) {
    for (int d = 0; d + n <= size; d++) {
      for (int h = 0; h + n <= size; h++) {
        search:
        for (int w = 0; w + n <= size; w++) {
          for (int i = 0; i < block.length; i++) {
            int v = (w + i % n) + size * ((h + i / n % n) + size * (d + i / (n * n)));
            if (volume[v] != block[i]) {
              continue search;
            }
          }
          return new int[] {d, h, w};
        }
      }
    }
    throw new AssertionError("the crop is no block of its volume");
  }

  private static boolean blockHolds(int[] region, int size, int[] origin, int n) {
    for (int i = 0; i < n * n * n; i++) {
      int v = (origin[2] + i % n) + size * ((origin[1] + i / n % n) + size * (origin[0] + i / (n * n)));
      if (region[v] == 1) {
        return true;
      }
    }
    return false;
  }

  @Test
  void cropEpochsTrainOnTheirCropsAndThenOnWholeVolumes() throws Exception {
    LabelledVolumes data = Synthetic.ballsWithRegions(8, 16, 3);
    TrainConfig config = TrainConfig.builder().epochs(3).batchSize(4).learningRate(1e-2).seed(6)
        .validationFraction(0).build();
    Synthetic.Recorder rec = new Synthetic.Recorder();
    try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(1),
        ClassifierOptions.DEFAULTS.withCrops(new FindingCrops(2, 4, 8, 8, 8)))) {
      List<ProgressListener.EpochReport> history = t.fit(data, rec);
      // 8 volumes: 4 crops each in the two crop epochs (8 steps of 4), whole volumes after (2 steps).
      assertEquals(List.of(8, 8, 2), rec.steps.stream().filter(s -> s.step() == 1).map(s -> s.steps()).toList());
      assertTrue(history.get(1).trainLoss() < history.get(0).trainLoss(), history.toString());
    }
    try (ClassifierTrainer t = new ClassifierTrainer(config, classmapArgs(2),
        ClassifierOptions.DEFAULTS.withCrops(new FindingCrops(1, 1, 8, 8, 8)))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.fit(Synthetic.blobs(4, 8, 1), ProgressListener.NONE));
      assertTrue(e.getMessage().contains("need finding regions"), e.getMessage());
    }
  }

  @Test
  void regionsNeedTheClassmapHead() {
    try (ClassifierTrainer t = new ClassifierTrainer(TrainConfig.builder().build(), args(1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.fit(Synthetic.ballsWithRegions(4, 8, 1), ProgressListener.NONE));
      assertTrue(e.getMessage().contains("classmap"), e.getMessage());
    }
  }

  @Test
  void rejectsLabelCountMismatch() {
    try (ClassifierTrainer t = new ClassifierTrainer(TrainConfig.builder().build(), args(3))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.fit(Synthetic.blobs(4, 8, 1), ProgressListener.NONE));
      assertTrue(e.getMessage().contains("3 outputs") && e.getMessage().contains("[blob, dark]"),
          e.getMessage());
    }
  }
}
