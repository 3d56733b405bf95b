package dev.ctshift.model.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;

/** A slice autoencoder stored as two TorchScript files, {@code encoder} and {@code decoder}. */
public final class TorchScriptAutoencoder implements SliceAutoencoder {
  private final ModelManifest manifest;
  private final TorchScriptModule encoder;
  private final TorchScriptModule decoder;

  /** Loads both files named by the manifest onto {@code device}. */
  public TorchScriptAutoencoder(ModelManifest manifest, Device device) throws ModelLoadException {
    this.manifest = manifest;
    this.encoder = new TorchScriptModule(manifest.file("encoder"), device);
    try {
      this.decoder = new TorchScriptModule(manifest.file("decoder"), device);
    } catch (ModelLoadException e) {
      encoder.close();
      throw e;
    }
  }

  @Override
  public NDArray encode(NDArray slices) {
    return encoder.forward(slices);
  }

  @Override
  public NDArray decode(NDArray latents, boolean differentiable) {
    // The graph is recorded iff the latents require a gradient: the caller decides that.
    return decoder.forward(latents);
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public void close() {
    encoder.close();
    decoder.close();
  }
}
