package dev.ctshift.model.torchscript;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;

/**
 * A 3D classifier or segmenter stored as one TorchScript file. Converts between the engine's NCDHW
 * and a depth-last (NCHWD) network layout when the manifest asks for it.
 *
 * <p>A forward pass that no gradient can flow through (not {@code differentiable}, and an input that
 * does not require a gradient) gets its one-channel volume in channels-last order: the same memory
 * with the strides of {@code [1, D, H, W, 1]}. libtorch then runs the whole network on oneDNN's NDHWC
 * kernels, with no reordering of the large early activations between blocked and plain layouts
 * (docs/PERFORMANCE.md). Gradients keep the standard order: the NDHWC input-gradient kernels were
 * slower at oneDNN's AVX limit. On a GPU (cuDNN, not measured) the standard order is kept too. A
 * network that cannot take channels-last activations (a {@code view} of a convolution's output fails
 * on them) is noticed at its first such pass and from then on gets the standard order, which is
 * always right.
 */
public final class TorchScriptVolumeModel implements VolumeModel {
  private final ModelManifest manifest;
  private final TorchScriptModule module;
  private final boolean depthLast;
  private volatile boolean channelsLastRuns = true;

  public TorchScriptVolumeModel(ModelManifest manifest, Device device) throws ModelLoadException {
    this.manifest = manifest;
    this.module = new TorchScriptModule(manifest.file("model"), device);
    this.depthLast = manifest.input().layout() == ModelManifest.Layout.NCHWD;
  }

  @Override
  public NDArray forward(NDArray volume, boolean differentiable) {
    if (!differentiable && !depthLast && channelsLastRuns && isOneChannel(volume) && !volume.hasGradient()
        && !volume.getDevice().isGpu()) {
      NDArray out;
      try {
        out = module.forward(channelsLast(volume));
      } catch (IllegalStateException e) {
        // If the standard order fails too, its error is the one to report.
        NDArray plain = module.forward(volume);
        channelsLastRuns = false;
        return plain;
      }
      // A segmenter's maps come back in channels-last order too: give callers the standard order.
      return out.getShape().dimension() == 5 ? out.flatten().reshape(out.getShape()) : out;
    }
    NDArray input = depthLast ? volume.transpose(0, 1, 3, 4, 2) : volume;
    NDArray out = module.forward(input);
    if (depthLast && out.getShape().dimension() == 5) {
      return out.transpose(0, 1, 4, 2, 3);
    }
    return out;
  }

  private static boolean isOneChannel(NDArray volume) {
    Shape s = volume.getShape();
    return s.dimension() == 5 && s.get(1) == 1;
  }

  /** {@code [N, 1, D, H, W]} as the same values with channels-last strides (a copy only if not contiguous). */
  private static NDArray channelsLast(NDArray volume) {
    Shape s = volume.getShape();
    return volume.reshape(s.get(0), s.get(2), s.get(3), s.get(4), 1).transpose(0, 4, 1, 2, 3);
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
