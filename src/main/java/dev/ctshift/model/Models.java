package dev.ctshift.model;

import ai.djl.Device;
import dev.ctshift.model.djl.DjlModels;
import dev.ctshift.model.torchscript.TorchScriptAutoencoder;
import dev.ctshift.model.torchscript.TorchScriptVolumeModel;
import java.nio.file.Path;

/** Loads the models a manifest describes, TorchScript or DJL-native alike. */
public final class Models {
  private Models() {}

  /**
   * Loads the slice autoencoder in {@code dir}.
   *
   * @throws ModelLoadException if the manifest is missing or invalid, is not an autoencoder, or a
   *     file does not load
   */
  public static SliceAutoencoder loadAutoencoder(Path dir, Device device) throws ModelLoadException {
    ModelManifest m = ModelManifest.read(dir);
    if (m.kind() != ModelManifest.Kind.AUTOENCODER) {
      throw new ModelLoadException(dir + ": expected an autoencoder, the manifest says " + m.kind().name().toLowerCase());
    }
    return m.format() == ModelManifest.Format.DJL ? DjlModels.loadAutoencoder(m, device)
        : new TorchScriptAutoencoder(m, device);
  }

  /**
   * Loads the classifier or segmenter in {@code dir}.
   *
   * @throws ModelLoadException if the manifest is missing or invalid, describes an autoencoder, or a
   *     file does not load
   */
  public static VolumeModel loadVolumeModel(Path dir, Device device) throws ModelLoadException {
    ModelManifest m = ModelManifest.read(dir);
    if (m.kind() == ModelManifest.Kind.AUTOENCODER) {
      throw new ModelLoadException(dir + ": expected a classifier or segmenter, the manifest describes an autoencoder");
    }
    return m.format() == ModelManifest.Format.DJL ? DjlModels.loadVolumeModel(m, device)
        : new TorchScriptVolumeModel(m, device);
  }
}
