package dev.ctshift.volume.transform;

import dev.ctshift.volume.Volume;

/**
 * Pads slices at the high end of axis k with {@code padValue} until there are at least
 * {@code minDepth} of them and their number is a multiple of {@code multiple}, like MONAI's
 * {@code DivisiblePad} restricted to depth and with all padding at the end. The affine is unchanged
 * (voxel (0, 0, 0) does not move); the inverse drops the padded slices and is exact.
 */
public final class DivisiblePadDepth implements VolumeTransform {
  private final int multiple;
  private final int minDepth;
  private final float padValue;

  /** @throws IllegalArgumentException if {@code multiple < 1} */
  public DivisiblePadDepth(int multiple, float padValue) {
    this(multiple, 1, padValue);
  }

  /** @throws IllegalArgumentException if {@code multiple < 1} or {@code minDepth < 1} */
  public DivisiblePadDepth(int multiple, int minDepth, float padValue) {
    if (multiple < 1 || minDepth < 1) {
      throw new IllegalArgumentException("depth multiple and minimum must be >= 1, got " + multiple + ", "
          + minDepth);
    }
    this.multiple = multiple;
    this.minDepth = minDepth;
    this.padValue = padValue;
  }

  @Override
  public Volume apply(Volume in) {
    return Grids.copyOnto(in, outputGeometry(VolumeGeometry.of(in)), padValue);
  }

  @Override
  public VolumeGeometry outputGeometry(VolumeGeometry in) {
    int depth = Math.max(in.nz(), minDepth);
    int nz = Math.multiplyExact((depth + multiple - 1) / multiple, multiple);
    return new VolumeGeometry(in.nx(), in.ny(), nz, in.affine());
  }

  @Override
  public Volume invert(Volume out, VolumeGeometry in) {
    Grids.requireOn(out, outputGeometry(in), this);
    return Grids.copyOnto(out, in, padValue);
  }

  @Override
  public String describe() {
    return "DivisiblePadDepth(multiple=" + multiple + ", minDepth=" + minDepth + ", padValue=" + padValue + ")";
  }
}
