package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.djl.DjlModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderTrainerTest {
  @TempDir Path tmp;

  private static final SliceDataset DATA = Synthetic.ellipses(24, 16, 7);

  private static SliceAe args() {
    return SliceAe.DEFAULTS.withBaseChannels(4).withLatentChannels(4).withLevels(2);
  }

  private static TrainConfig.Builder config() {
    return TrainConfig.builder().epochs(3).batchSize(2).learningRate(3e-3).seed(5).validationFraction(0.25);
  }

  @Test
  void lossDecreasesWithoutNaNAndSeedReproducesIt() throws Exception {
    Synthetic.Recorder first = new Synthetic.Recorder();
    List<ProgressListener.EpochReport> history;
    try (AutoencoderTrainer t = new AutoencoderTrainer(config().build(), args(), 0.1)) {
      history = t.fit(DATA, first);
    }
    assertEquals(3 * 9, first.losses.size());  // 18 training slices in batches of 2
    first.losses.forEach(l -> assertTrue(Double.isFinite(l), "loss " + l));
    assertTrue(history.get(2).trainLoss() < 0.7 * history.get(0).trainLoss(), history.toString());
    ProgressListener.Step last = first.steps.get(first.steps.size() - 1);
    assertEquals(List.of(3, 3, 9, 9), List.of(last.epoch(), last.epochs(), last.step(), last.steps()));
    assertEquals(0, last.eta().toMillis());
    double psnr = history.get(2).metrics().get("psnr");
    double ssim = history.get(2).metrics().get("ssim");
    assertTrue(psnr > 5 && psnr < 60 && ssim > -1 && ssim < 1, history.get(2).toString());

    Synthetic.Recorder second = new Synthetic.Recorder();
    try (AutoencoderTrainer t = new AutoencoderTrainer(config().build(), args(), 0.1)) {
      t.fit(DATA, second);
    }
    assertEquals(first.losses, second.losses);

    Synthetic.Recorder other = new Synthetic.Recorder();
    try (AutoencoderTrainer t = new AutoencoderTrainer(config().seed(6).epochs(1).build(), args(), 0.1)) {
      t.fit(DATA, other);
    }
    assertNotEquals(first.losses.subList(0, 9), other.losses);
  }

  @Test
  void resumesFromTheLastCheckpointWithTheSameWeights() throws Exception {
    Path ckpt = tmp.resolve("ckpt");
    Synthetic.Recorder full = new Synthetic.Recorder();
    try (AutoencoderTrainer t = new AutoencoderTrainer(config().epochs(2).build(), args(), 0)) {
      t.fit(DATA, full);
    }
    List<ProgressListener.EpochReport> interrupted;
    try (AutoencoderTrainer t =
        new AutoencoderTrainer(config().epochs(1).checkpointDir(ckpt).build(), args(), 0)) {
      interrupted = t.fit(DATA, ProgressListener.NONE);
    }
    assertTrue(Files.isRegularFile(ckpt.resolve("last.params")));
    assertTrue(Files.readString(ckpt.resolve("last.json")).contains("\"epoch\": 1"));

    Synthetic.Recorder resumed = new Synthetic.Recorder();
    List<ProgressListener.EpochReport> history;
    try (AutoencoderTrainer t = new AutoencoderTrainer(
        config().epochs(2).checkpointDir(ckpt).resume(true).build(), args(), 0)) {
      history = t.fit(DATA, resumed);
    }
    assertEquals(2, history.size());
    assertEquals(interrupted.get(0), history.get(0));
    assertEquals(2, history.get(1).epoch());
    assertTrue(resumed.steps.stream().allMatch(s -> s.epoch() == 2));
    // The first step of epoch 2 sees the same weights and batch as the uninterrupted run (Adam's
    // moments are not checkpointed, so later steps differ slightly).
    assertEquals(full.losses.get(9), resumed.losses.get(0));
  }

  @Test
  void resumeRestoresHistoryWithUndefinedValues() throws Exception {
    Path ckpt = tmp.resolve("ckpt0");
    TrainConfig.Builder noValidation = config().epochs(1).validationFraction(0).checkpointDir(ckpt);
    List<ProgressListener.EpochReport> before;
    try (AutoencoderTrainer t = new AutoencoderTrainer(noValidation.build(), args(), 0)) {
      before = t.fit(DATA, ProgressListener.NONE);
    }
    assertTrue(Double.isNaN(before.get(0).validationLoss()));
    Synthetic.Recorder rec = new Synthetic.Recorder();
    try (AutoencoderTrainer t = new AutoencoderTrainer(noValidation.resume(true).build(), args(), 0)) {
      assertEquals(before, t.fit(DATA, rec));
    }
    assertTrue(rec.losses.isEmpty(), "a finished run must not train again");
  }

  @Test
  void savedModelReloadsToIdenticalOutputs() throws Exception {
    Path out = tmp.resolve("model");
    try (AutoencoderTrainer t = new AutoencoderTrainer(config().epochs(1).build(), args(), 0);
        NDManager m = NDManager.newBaseManager()) {
      assertThrows(IllegalStateException.class, () -> t.save(out));
      t.fit(DATA, ProgressListener.NONE);
      t.save(out, null, new ModelManifest.Input("RAS", null, new int[] {16, 16}, new double[] {-1000, 400},
          new double[] {0, 1}, ModelManifest.Layout.NCDHW, 1, 1));
      ModelManifest manifest = ModelManifest.read(out);
      assertArrayEquals(new int[] {16, 16}, manifest.input().size());
      assertArrayEquals(new double[] {-1000, 400}, manifest.input().huWindow());
      NDArray x = m.create(DATA.slice(0), new Shape(1, 1, 16, 16));
      float[] expected = t.network().block().forward(t.network().parameterStore(), new NDList(x), false)
          .singletonOrThrow().toFloatArray();
      try (SliceAutoencoder ae = DjlModels.loadAutoencoder(manifest, Device.cpu())) {
        assertArrayEquals(expected, ae.decode(ae.encode(x), false).toFloatArray(), 0f);
      }
    }
  }

  @Test
  void rejectsSlicesThatDoNotFitTheNetwork() {
    try (AutoencoderTrainer t = new AutoencoderTrainer(config().build(), args(), 0)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> t.fit(Synthetic.ellipses(4, 10, 1), ProgressListener.NONE));
      assertTrue(e.getMessage().contains("multiples of 4"), e.getMessage());
      assertFalse(e.getMessage().isBlank());
    }
  }
}
