package dev.ctshift.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A slice autoencoder and the 3D model it explains, loaded together and checked to see the same
 * input: same in-plane size (where both declare one), same HU window and intensity range.
 *
 * @param autoencoder the slice autoencoder
 * @param model the classifier or segmenter
 */
public record ModelPair(SliceAutoencoder autoencoder, VolumeModel model) implements AutoCloseable {

  /**
   * Loads both models onto {@code device}; on any failure nothing stays open.
   *
   * @throws ModelLoadException if a model does not load or the two do not fit together
   */
  public static ModelPair load(Path autoencoderDir, Path modelDir, Device device) throws ModelLoadException {
    SliceAutoencoder ae = Models.loadAutoencoder(autoencoderDir, device);
    try {
      VolumeModel model = Models.loadVolumeModel(modelDir, device);
      try {
        checkCompatible(ae.manifest(), model.manifest());
      } catch (ModelLoadException e) {
        model.close();
        throw e;
      }
      return new ModelPair(ae, model);
    } catch (ModelLoadException | RuntimeException e) {
      ae.close();
      throw e;
    }
  }

  /**
   * @throws ModelLoadException naming both folders when the autoencoder and the model disagree on
   *     in-plane size, HU window or intensity range
   */
  public static void checkCompatible(ModelManifest ae, ModelManifest model) throws ModelLoadException {
    ModelManifest.Input a = ae.input();
    ModelManifest.Input m = model.input();
    if (a.size() != null && m.size() != null && !Arrays.equals(a.size(), m.size())) {
      throw new ModelLoadException("the autoencoder " + ae.directory() + " works on slices of "
          + Arrays.toString(a.size()) + " but the model " + model.directory() + " expects "
          + Arrays.toString(m.size()) + ": use an autoencoder trained for the model's input size");
    }
    if (!Arrays.equals(a.huWindow(), m.huWindow()) || !Arrays.equals(a.range(), m.range())) {
      throw new ModelLoadException("the autoencoder " + ae.directory() + " maps HU " + Arrays.toString(a.huWindow())
          + " to " + Arrays.toString(a.range()) + " but the model " + model.directory() + " maps "
          + Arrays.toString(m.huWindow()) + " to " + Arrays.toString(m.range())
          + ": both must see the same intensities");
    }
  }

  @Override
  public void close() {
    model.close();
    autoencoder.close();
  }
}
