package dev.ctshift.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reconstructions against the bundled autoencoder applied to one slice at a time. */
class ReconstructionsTest {
  private static final int DEPTH = 20; // more than one batch of slices
  private static final int SIDE = 64;

  @Test
  void everySliceIsItsOwnReconstructionInPlace() throws Exception {
    Random r = new Random(7);
    float[] values = new float[DEPTH * SIDE * SIDE];
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextFloat();
    }
    int[] classes = new int[values.length];
    classes[5] = 1;
    ModelSpaceScan scan = new ModelSpaceScan("s", Path.of("s.nii.gz"), DEPTH, SIDE, SIDE, values, classes);
    TorchRuntime.start("cpu", System.err::println);
    try (SliceAutoencoder ae = Models.loadAutoencoder(Path.of("models", "phantom-ae"), Device.cpu());
        NDManager m = NDManager.newBaseManager()) {
      float[] got = Reconstructions.of(ae, scan, Device.cpu());
      int plane = SIDE * SIDE;
      for (int d = 0; d < DEPTH; d++) {
        NDArray slice = m.create(Arrays.copyOfRange(values, d * plane, (d + 1) * plane), new Shape(1, 1, SIDE, SIDE));
        float[] one = ae.decode(ae.encode(slice), false).toFloatArray();
        assertArrayEquals(one, Arrays.copyOfRange(got, d * plane, (d + 1) * plane), 1e-5f, "slice " + d);
      }

      List<String> progress = new ArrayList<>();
      List<ModelSpaceScan> both = Reconstructions.appended(List.of(scan), ae, Device.cpu(), progress::add);
      assertEquals(List.of("reconstructed 1/1 scans"), progress);
      assertEquals(2, both.size());
      assertSame(scan, both.get(0));
      ModelSpaceScan recon = both.get(1);
      assertEquals("s", recon.id());
      assertSame(classes, recon.classes());
      assertArrayEquals(got, recon.values(), 0f);
    }
  }
}
