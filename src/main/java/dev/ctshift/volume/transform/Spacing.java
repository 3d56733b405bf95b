package dev.ctshift.volume.transform;

import dev.ctshift.volume.Volume;
import java.util.Arrays;

/**
 * Resamples to a target voxel spacing with trilinear interpolation, like MONAI's {@code Spacing}.
 *
 * <p><b>Grid.</b> The axis directions are kept. Along each voxel axis the new size is
 * {@code max(1, round(n * spacing / targetSpacing))}, so the field of view keeps its physical
 * extent up to rounding, and the new grid is placed so that the <em>centre of the field of
 * view</em> (the world position of voxel {@code (n - 1) / 2} on each axis) stays where it was.
 * Output voxels that fall outside the input (at most half a voxel at each border) take the value
 * of the nearest input border voxel.
 *
 * <p>When every axis already has the target spacing within {@value #TOLERANCE_MM} mm the step is
 * the identity and returns its input unchanged. The inverse resamples trilinearly from the new
 * grid at the world positions of the original voxels (clamped at the borders): exact for fields
 * that are linear in world position, an interpolation otherwise.
 */
public final class Spacing implements VolumeTransform {
  /** Spacings closer than this to the target are kept as they are. */
  public static final double TOLERANCE_MM = 1e-3;

  private final double[] mm;

  /**
   * @param mm target voxel size in mm along i, j, k (after any reorientation)
   * @throws IllegalArgumentException unless three finite positive numbers are given
   */
  public Spacing(double[] mm) {
    if (mm == null || mm.length != 3) {
      throw new IllegalArgumentException("spacing needs three values in mm (i, j, k), got "
          + Arrays.toString(mm));
    }
    for (double s : mm) {
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("spacing must be positive, got " + Arrays.toString(mm));
      }
    }
    this.mm = mm.clone();
  }

  /** The target spacing in mm along i, j, k (a copy). */
  public double[] mm() {
    return mm.clone();
  }

  /** True if the grid already has the target spacing, so this step changes nothing. */
  public boolean keeps(VolumeGeometry in) {
    double[] s = in.spacing();
    for (int c = 0; c < 3; c++) {
      if (Math.abs(s[c] - mm[c]) > TOLERANCE_MM) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Volume apply(Volume in) {
    VolumeGeometry g = VolumeGeometry.of(in);
    return keeps(g) ? in : Grids.trilinearOnto(in, outputGeometry(g));
  }

  @Override
  public VolumeGeometry outputGeometry(VolumeGeometry in) {
    if (keeps(in)) {
      return in;
    }
    double[][] a = in.affine();
    double[] s = in.spacing();
    int[] n = in.dims();
    int[] m = new int[3];
    double[][] out = in.affine();
    for (int c = 0; c < 3; c++) {
      m[c] = (int) Math.max(1, Math.round(n[c] * s[c] / mm[c]));
      for (int r = 0; r < 3; r++) {
        out[r][c] = a[r][c] / s[c] * mm[c];
      }
    }
    // origin' = centre in the old grid minus the offset of the centre in the new grid.
    for (int r = 0; r < 3; r++) {
      double centre = a[r][3];
      double offset = 0;
      for (int c = 0; c < 3; c++) {
        centre += a[r][c] * (n[c] - 1) / 2.0;
        offset += out[r][c] * (m[c] - 1) / 2.0;
      }
      out[r][3] = centre - offset;
    }
    return new VolumeGeometry(m[0], m[1], m[2], out);
  }

  @Override
  public Volume invert(Volume out, VolumeGeometry in) {
    Grids.requireOn(out, outputGeometry(in), this);
    return keeps(in) ? out : Grids.trilinearOnto(out, in);
  }

  @Override
  public String describe() {
    return "Spacing(mm=" + Arrays.toString(mm) + ")";
  }
}
