package dev.ctshift.train;

import java.util.List;

/**
 * Volumes with multi-label targets for the classifier: {@code labels.get(i)[k]} is 1 if finding
 * {@code labelNames.get(k)} is present in volume i, else 0.
 *
 * @param volumes the inputs
 * @param labelNames one name per output
 * @param labels one array of {@code labelNames.size()} values in {0, 1} per volume (not copied)
 */
public record LabelledVolumes(VolumeDataset volumes, List<String> labelNames, List<float[]> labels) {

  /** @throws IllegalArgumentException if counts or lengths disagree or a label is not 0 or 1 */
  public LabelledVolumes {
    labelNames = List.copyOf(labelNames);
    labels = List.copyOf(labels);
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
  }
}
