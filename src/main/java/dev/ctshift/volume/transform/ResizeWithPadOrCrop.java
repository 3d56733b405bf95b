package dev.ctshift.volume.transform;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;

/**
 * Pads or crops in-plane to {@code h} rows (axis j) by {@code w} columns (axis i), centred, like
 * MONAI's {@code ResizeWithPadOrCrop}; slices (axis k) are untouched.
 *
 * <p><b>Centring.</b> Along an axis of n voxels becoming m, input voxel x becomes output voxel
 * {@code x + (m - n) / 2} (Java integer division, rounding toward zero). So when the difference is
 * odd, the extra voxel is padded or cropped at the <em>high-index end</em>: 4 -> 7 pads 1 before
 * and 2 after; 7 -> 4 crops 1 before and 2 after. Padded voxels get {@code padValue}.
 *
 * <p>The affine origin moves so that every kept voxel keeps its world position. The inverse crops
 * back (exact) and pads back what was cropped with {@code padValue}: cropped values are lost.
 */
public final class ResizeWithPadOrCrop implements VolumeTransform {
  private final int h;
  private final int w;
  private final float padValue;

  /** @throws IllegalArgumentException unless {@code h} and {@code w} are positive */
  public ResizeWithPadOrCrop(int h, int w, float padValue) {
    if (h <= 0 || w <= 0) {
      throw new IllegalArgumentException("in-plane size must be positive, got [" + h + ", " + w + "]");
    }
    this.h = h;
    this.w = w;
    this.padValue = padValue;
  }

  /** The same resize padding with another value (e.g. 0 for difference maps). */
  public ResizeWithPadOrCrop withPadValue(float value) {
    return new ResizeWithPadOrCrop(h, w, value);
  }

  @Override
  public Volume apply(Volume in) {
    return Grids.copyOnto(in, outputGeometry(VolumeGeometry.of(in)), padValue);
  }

  @Override
  public VolumeGeometry outputGeometry(VolumeGeometry in) {
    double[][] a = in.affine();
    // Output voxel 0 is input voxel -shift; its world position is the new origin.
    double[] origin = Affine.apply(a, new double[] {-((w - in.nx()) / 2), -((h - in.ny()) / 2), 0});
    for (int r = 0; r < 3; r++) {
      a[r][3] = origin[r];
    }
    return new VolumeGeometry(w, h, in.nz(), a);
  }

  @Override
  public Volume invert(Volume out, VolumeGeometry in) {
    Grids.requireOn(out, outputGeometry(in), this);
    return Grids.copyOnto(out, in, padValue);
  }

  @Override
  public String describe() {
    return "ResizeWithPadOrCrop(h=" + h + ", w=" + w + ", padValue=" + padValue + ")";
  }
}
