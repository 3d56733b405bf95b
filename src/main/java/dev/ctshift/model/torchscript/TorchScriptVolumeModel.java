package dev.ctshift.model.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;

/**
 * A 3D classifier or segmenter stored as one TorchScript file. Converts between the engine's NCDHW
 * and a depth-last (NCHWD) network layout when the manifest asks for it.
 */
public final class TorchScriptVolumeModel implements VolumeModel {
  private final ModelManifest manifest;
  private final TorchScriptModule module;
  private final boolean depthLast;

  public TorchScriptVolumeModel(ModelManifest manifest, Device device) throws ModelLoadException {
    this.manifest = manifest;
    this.module = new TorchScriptModule(manifest.file("model"), device);
    this.depthLast = manifest.input().layout() == ModelManifest.Layout.NCHWD;
  }

  @Override
  public NDArray forward(NDArray volume, boolean differentiable) {
    NDArray input = depthLast ? volume.transpose(0, 1, 3, 4, 2) : volume;
    NDArray out = module.forward(input);
    if (depthLast && out.getShape().dimension() == 5) {
      return out.transpose(0, 1, 4, 2, 3);
    }
    return out;
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public void close() {
    module.close();
  }
}
