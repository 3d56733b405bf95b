package dev.ctshift.train.data;

import java.nio.file.Path;

/**
 * One scan brought into a model's input space: {@code depth x height x width} values in C order
 * ({@code index = w + width * (h + height * d)}, i.e. {@link dev.ctshift.volume.Volume} order with
 * W = i, H = j, D = k), windowed to the model's range.
 *
 * @param id the file name without {@code .nii[.gz]}
 * @param source the scan file
 * @param values the model-space voxels (not copied; treat as read-only)
 * @param classes per voxel, the index of its class in the requested label codes plus one (0 =
 *     background); null when no label map was requested (not copied)
 */
public record ModelSpaceScan(
    String id, Path source, int depth, int height, int width, float[] values, int[] classes) {

  /** @throws IllegalArgumentException if an array does not hold {@code depth x height x width} values */
  public ModelSpaceScan {
    int voxels = depth * height * width;
    if (values.length != voxels || (classes != null && classes.length != voxels)) {
      throw new IllegalArgumentException(id + ": arrays of " + values.length + " values and "
          + (classes == null ? "no" : classes.length) + " classes for " + depth + "x" + height + "x" + width);
    }
  }
}
