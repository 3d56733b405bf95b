package dev.ctshift.train;

import java.util.List;

/**
 * Volumes of one size {@code [D, H, W]}, values windowed to [0, 1], stored C-order
 * ({@code index = w + W * (h + H * d)}), which is {@link dev.ctshift.volume.Volume}'s order with
 * D = k, H = j, W = i.
 */
public interface VolumeDataset {
  int size();

  int depth();

  int height();

  int width();

  /** Volume {@code index}; callers do not modify it. */
  float[] volume(int index);

  /**
   * Wraps a list of volumes (arrays not copied).
   *
   * @throws IllegalArgumentException if a volume has the wrong length
   */
  static VolumeDataset of(int depth, int height, int width, List<float[]> volumes) {
    for (int i = 0; i < volumes.size(); i++) {
      if (volumes.get(i).length != depth * height * width) {
        throw new IllegalArgumentException("volume " + i + " has " + volumes.get(i).length
            + " values, expected " + depth + "x" + height + "x" + width);
      }
    }
    return new Listed(depth, height, width, List.copyOf(volumes));
  }

  /** Volumes held in a list. */
  record Listed(int depth, int height, int width, List<float[]> volumes) implements VolumeDataset {
    @Override
    public int size() {
      return volumes.size();
    }

    @Override
    public float[] volume(int index) {
      return volumes.get(index);
    }
  }
}
