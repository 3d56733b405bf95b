package dev.ctshift.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A slice autoencoder and the 3D model it explains, loaded together and checked to see the same
 * input: same in-plane size and in-plane voxel spacing (where both declare them), orientation, HU window and
 * intensity range; both must have an input section.
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
   *     in-plane size, voxel spacing, orientation, HU window or intensity range, or one has no input section
   */
  public static void checkCompatible(ModelManifest ae, ModelManifest model) throws ModelLoadException {
    for (ModelManifest mm : new ModelManifest[] {ae, model}) {
      if (!mm.declaresInput()) {
        throw new ModelLoadException(mm.directory().resolve(ModelManifest.FILE_NAME) + ": no \"input\" section: it says which"
            + " grid and intensities the model expects (orientation, spacing_mm, size, hu_window, range); without it"
            + " the model would see every scan on its own grid");
      }
    }
    ModelManifest.Input a = ae.input();
    ModelManifest.Input m = model.input();
    // The autoencoder sees slices: only the in-plane spacing has to agree.
    if (a.spacingMm() != null && m.spacingMm() != null
        && (a.spacingMm()[0] != m.spacingMm()[0] || a.spacingMm()[1] != m.spacingMm()[1])) {
      throw new ModelLoadException("the autoencoder " + ae.directory() + " works on slices of "
          + a.spacingMm()[0] + " x " + a.spacingMm()[1] + " mm voxels but the model " + model.directory()
          + " expects " + m.spacingMm()[0] + " x " + m.spacingMm()[1]
          + " mm: use an autoencoder trained on the model's grid");
    }
    if (!a.orientation().equals(m.orientation())) {
      throw new ModelLoadException("the autoencoder " + ae.directory() + " sees slices in " + a.orientation()
          + " orientation but the model " + model.directory() + " in " + m.orientation()
          + ": both must see the same slices");
    }
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
