package dev.ctshift.train;

import java.util.List;

/**
 * 2D slices for the autoencoder, all {@code height x width}, values windowed to [0, 1]. A slice is
 * row-major ({@code index = x + width * y}).
 */
public interface SliceDataset {
  int size();

  int height();

  int width();

  /** Slice {@code index}; callers do not modify it. */
  float[] slice(int index);

  /**
   * Wraps a list of slices (arrays not copied).
   *
   * @throws IllegalArgumentException if a slice has the wrong length
   */
  static SliceDataset of(int height, int width, List<float[]> slices) {
    for (int i = 0; i < slices.size(); i++) {
      if (slices.get(i).length != height * width) {
        throw new IllegalArgumentException("slice " + i + " has " + slices.get(i).length
            + " values, expected " + height + "x" + width);
      }
    }
    return new Listed(height, width, List.copyOf(slices));
  }

  /** Slices held in a list. */
  record Listed(int height, int width, List<float[]> slices) implements SliceDataset {
    @Override
    public int size() {
      return slices.size();
    }

    @Override
    public float[] slice(int index) {
      return slices.get(index);
    }
  }
}
