package dev.ctshift.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Helpers shared by the 3D trainers. */
final class VolumeBatches {
  private VolumeBatches() {}

  /** {@code [B, 1, D, H, W]} input of the volumes {@code indices}. */
  static NDArray volumes(NDManager manager, VolumeDataset data, int[] indices) {
    int voxels = data.depth() * data.height() * data.width();
    float[] values = new float[indices.length * voxels];
    for (int b = 0; b < indices.length; b++) {
      System.arraycopy(data.volume(indices[b]), 0, values, b * voxels, voxels);
    }
    return manager.create(values,
        new Shape(indices.length, 1, data.depth(), data.height(), data.width()));
  }
}
