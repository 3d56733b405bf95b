package dev.ctshift.shift;

import static dev.ctshift.testing.Fixtures.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The default encode/decode batch: chosen by bytes, and the results do not depend on it. */
class SlicesPerBatchTest {

  /** 16 channels x H x W float32 within 128 MiB, from 1 to 32 slices. */
  @ParameterizedTest(name = "{0}x{1} -> {2}")
  @CsvSource({"64, 64, 32", "224, 224, 32", "256, 256, 32", "300, 300, 23", "512, 512, 8", "1024, 1024, 2",
      "4096, 4096, 1"})
  void slicesPerBatchKeepsA16ChannelLayerWithin128MiB(int h, int w, int expected) {
    int batch = ShiftConfig.slicesPerBatch(h, w);
    assertEquals(expected, batch);
    assertTrue(batch == 1 || (long) batch * 16 * h * w * 4 <= 128L << 20);
  }

  @Test
  void defaultBatchIsWhatTheConfigurationAsksForByDefault() {
    assertEquals(0, ShiftConfig.builder().build().encodeBatch());
  }

  /** Batch 0 (by size: all 6 slices at once) against one slice per call, on the PyTorch references. */
  @Test
  void encodingAndDecodingByDefaultBatchMatchOneSliceAtATimeAndPyTorch() throws Exception {
    TorchRuntime runtime = TorchRuntime.start("cpu", System.err::println);
    try (SliceAutoencoder ae = Models.loadAutoencoder(Fixtures.model("tiny-ae"), runtime.device());
        VolumeModel model = Models.loadVolumeModel(Fixtures.model("tiny-classifier"), runtime.device());
        NDManager manager = runtime.newManager();
        SliceLatentSpace space = new SliceLatentSpace(ae, model, Objective.of(model.manifest(), null), manager,
            6, 16, 16)) {
      NDArray x = space.upload(Fixtures.tensor("x"));
      float[] byDefault = space.encode(x, 0).toFloatArray();
      float[] oneByOne = space.encode(x, 1).toFloatArray();
      assertTrue(relativeError(byDefault, Fixtures.tensor("z")) < 1e-5);
      assertTrue(relativeError(oneByOne, Fixtures.tensor("z")) < 1e-5);
      NDArray z = space.encode(x, 0);
      assertTrue(relativeError(space.decode(z, 0).toFloatArray(), Fixtures.tensor("recon")) < 1e-5);
      assertTrue(relativeError(space.decode(z, 1).toFloatArray(), Fixtures.tensor("recon")) < 1e-5);
    }
  }
}
