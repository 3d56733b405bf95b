package dev.ctshift.train;

import java.util.List;

/**
 * Volumes with a class index per voxel for the segmenter (class 0 is the background).
 *
 * @param volumes the inputs
 * @param classNames one name per class, background first
 * @param masks one array per volume, same order and length as the volume, values in
 *     {@code [0, classNames.size())} (not copied)
 */
public record SegmentedVolumes(VolumeDataset volumes, List<String> classNames, List<int[]> masks) {

  /** @throws IllegalArgumentException if counts or lengths disagree or a class index is out of range */
  public SegmentedVolumes {
    classNames = List.copyOf(classNames);
    masks = List.copyOf(masks);
    if (classNames.size() < 2) {
      throw new IllegalArgumentException("at least two classes (background and one more) are needed");
    }
    if (masks.size() != volumes.size()) {
      throw new IllegalArgumentException(masks.size() + " masks for " + volumes.size() + " volumes");
    }
    int voxels = volumes.depth() * volumes.height() * volumes.width();
    for (int i = 0; i < masks.size(); i++) {
      int[] mask = masks.get(i);
      if (mask.length != voxels) {
        throw new IllegalArgumentException("mask " + i + " has " + mask.length + " voxels, expected " + voxels);
      }
      for (int c : mask) {
        if (c < 0 || c >= classNames.size()) {
          throw new IllegalArgumentException("mask " + i + ": class " + c + " is not in [0, "
              + classNames.size() + ")");
        }
      }
    }
  }
}
