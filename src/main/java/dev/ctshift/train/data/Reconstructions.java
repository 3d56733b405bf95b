package dev.ctshift.train.data;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.SliceAutoencoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scans passed slice by slice through a slice autoencoder: what a latent shift starts from. A
 * classifier that scores a reconstruction as it scores the scan gives counterfactuals that start where
 * the scan is (the reconstruction gap).
 */
public final class Reconstructions {
  /** Slices decoded at once: bounds the memory of a deep scan. */
  private static final int SLICES_PER_BATCH = 16;
  private static final int PROGRESS_EVERY = 50;

  private Reconstructions() {}

  /** The autoencoder's reconstruction of every slice of {@code scan} (C order, like its values). */
  public static float[] of(SliceAutoencoder autoencoder, ModelSpaceScan scan, Device device) {
    int plane = scan.height() * scan.width();
    float[] out = new float[scan.values().length];
    try (NDManager m = NDManager.newBaseManager(device)) {
      for (int from = 0; from < scan.depth(); from += SLICES_PER_BATCH) {
        int count = Math.min(SLICES_PER_BATCH, scan.depth() - from);
        try (NDManager batch = m.newSubManager()) {
          float[] slices = Arrays.copyOfRange(scan.values(), from * plane, (from + count) * plane);
          NDArray x = batch.create(slices, new Shape(count, 1, scan.height(), scan.width()));
          float[] y = autoencoder.decode(autoencoder.encode(x), false).toFloatArray();
          System.arraycopy(y, 0, out, from * plane, y.length);
        }
      }
    }
    return out;
  }

  /**
   * {@code scans}, then the reconstruction of each: same id, source and class map, so that it takes
   * the scan's labels and finding regions.
   *
   * @param progress receives a line every {@value #PROGRESS_EVERY} scans
   */
  public static List<ModelSpaceScan> appended(List<ModelSpaceScan> scans, SliceAutoencoder autoencoder,
      Device device, Consumer<String> progress) {
    List<ModelSpaceScan> all = new ArrayList<>(scans);
    for (ModelSpaceScan s : scans) {
      all.add(new ModelSpaceScan(s.id(), s.source(), s.depth(), s.height(), s.width(),
          of(autoencoder, s, device), s.classes()));
      int done = all.size() - scans.size();
      if (done % PROGRESS_EVERY == 0 || done == scans.size()) {
        progress.accept("reconstructed " + done + "/" + scans.size() + " scans");
      }
    }
    return all;
  }
}
