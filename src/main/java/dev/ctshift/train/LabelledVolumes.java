package dev.ctshift.train;

import java.util.List;

/**
 * Volumes with multi-label targets for the classifier: {@code labels.get(i)[k]} is 1 if finding
 * {@code labelNames.get(k)} is present in volume i, else 0. Optionally, where some findings are:
 * {@code regions.get(i)} is a class map of volume i, and output k's finding lies where it equals
 * {@code regionClass[k]} (0: output k has no region).
 *
 * @param volumes the inputs
 * @param labelNames one name per output
 * @param labels one array of {@code labelNames.size()} values in {0, 1} per volume (not copied)
 * @param regions one class map per volume, same order and length as the volume, values at least 0
 *     (not copied); empty when no output has a region
 * @param regionClass one class per output, 0 for none (copied)
 */
public record LabelledVolumes(VolumeDataset volumes, List<String> labelNames, List<float[]> labels,
    List<int[]> regions, int[] regionClass) {

  /** @throws IllegalArgumentException if counts or lengths disagree or a label is not 0 or 1 */
  public LabelledVolumes {
    labelNames = List.copyOf(labelNames);
    labels = List.copyOf(labels);
    regions = List.copyOf(regions);
    regionClass = regionClass.clone();
    if (labelNames.isEmpty()) {
      throw new IllegalArgumentException("at least one label name is needed");
    }
    if (labels.size() != volumes.size()) {
      throw new IllegalArgumentException(labels.size() + " label rows for " + volumes.size() + " volumes");
    }
    for (int i = 0; i < labels.size(); i++) {
      float[] row = labels.get(i);
      if (row.length != labelNames.size()) {
        throw new IllegalArgumentException("volume " + i + " has " + row.length + " labels, expected "
            + labelNames.size());
      }
      for (float v : row) {
        if (v != 0 && v != 1) {
          throw new IllegalArgumentException("volume " + i + ": labels must be 0 or 1, got " + v);
        }
      }
    }
    checkRegions(volumes, labelNames.size(), regions, regionClass);
  }

  /** Volumes without regions. */
  public LabelledVolumes(VolumeDataset volumes, List<String> labelNames, List<float[]> labels) {
    this(volumes, labelNames, labels, List.of(), new int[labelNames.size()]);
  }

  /** Whether some output has a region. */
  public boolean hasRegions() {
    for (int c : regionClass) {
      if (c > 0) {
        return true;
      }
    }
    return false;
  }

  private static void checkRegions(VolumeDataset volumes, int outputs, List<int[]> regions, int[] regionClass) {
    if (regionClass.length != outputs) {
      throw new IllegalArgumentException(regionClass.length + " region classes for " + outputs + " outputs");
    }
    boolean any = false;
    for (int c : regionClass) {
      if (c < 0) {
        throw new IllegalArgumentException("region classes must be at least 0, got " + c);
      }
      any |= c > 0;
    }
    if (!any) {
      if (!regions.isEmpty()) {
        throw new IllegalArgumentException("region maps were given but no output has a region class");
      }
      return;
    }
    if (regions.size() != volumes.size()) {
      throw new IllegalArgumentException(regions.size() + " region maps for " + volumes.size() + " volumes");
    }
    int voxels = volumes.depth() * volumes.height() * volumes.width();
    for (int i = 0; i < regions.size(); i++) {
      if (regions.get(i).length != voxels) {
        throw new IllegalArgumentException("region map " + i + " has " + regions.get(i).length
            + " voxels, expected " + voxels);
      }
    }
  }
}
