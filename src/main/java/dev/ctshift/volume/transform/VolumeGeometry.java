package dev.ctshift.volume.transform;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;
import java.util.Arrays;

/**
 * The grid of a {@link Volume} without its values: dims {@code (nx, ny, nz)} along voxel axes
 * {@code (i, j, k)} and the 4x4 voxel-to-world affine (RAS+ millimetres). Transforms keep these
 * instead of whole volumes so that inverting a pipeline costs no voxel memory.
 *
 * <p>Immutable: the affine is copied on the way in and out.
 */
public final class VolumeGeometry {
  private final int nx;
  private final int ny;
  private final int nz;
  private final double[][] affine;

  /**
   * @throws IllegalArgumentException if a dim is not positive or the affine is not 4x4 and
   *     invertible
   */
  public VolumeGeometry(int nx, int ny, int nz, double[][] affine) {
    if (nx <= 0 || ny <= 0 || nz <= 0) {
      throw new IllegalArgumentException("dims must be positive, got " + nx + "x" + ny + "x" + nz);
    }
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.affine = Affine.copyOf(affine);
    if (Math.abs(Affine.det3(this.affine)) < 1e-12) {
      throw new IllegalArgumentException("affine is singular: " + Affine.toString(this.affine));
    }
  }

  /** The geometry of {@code v} (its values are not referenced). */
  public static VolumeGeometry of(Volume v) {
    return new VolumeGeometry(v.nx(), v.ny(), v.nz(), v.affine());
  }

  public int nx() {
    return nx;
  }

  public int ny() {
    return ny;
  }

  public int nz() {
    return nz;
  }

  /** {@code {nx, ny, nz}}. */
  public int[] dims() {
    return new int[] {nx, ny, nz};
  }

  /** Number of voxels. */
  public int voxelCount() {
    return Math.multiplyExact(Math.multiplyExact(nx, ny), nz);
  }

  /** A copy of the 4x4 voxel-to-world (RAS+ mm) affine. */
  public double[][] affine() {
    return Affine.copyOf(affine);
  }

  /** Voxel size in mm along i, j, k. */
  public double[] spacing() {
    return Affine.columnNorms(affine);
  }

  /** Axis codes such as "RAS" (see {@link Orientation#codes}). */
  public String orientation() {
    return Orientation.codes(affine);
  }

  /** True if the dims are equal and every affine entry agrees within {@code tolMm}. */
  public boolean sameGrid(VolumeGeometry other, double tolMm) {
    return nx == other.nx && ny == other.ny && nz == other.nz
        && Affine.maxAbsDiff(affine, other.affine) <= tolMm;
  }

  /** True if {@code v} lies on this grid (see {@link #sameGrid}). */
  public boolean holds(Volume v, double tolMm) {
    return sameGrid(of(v), tolMm);
  }

  /** A volume on this grid wrapping {@code data} (not copied). */
  Volume wrap(float[] data) {
    return new Volume(nx, ny, nz, data, affine);
  }

  @Override
  public String toString() {
    double[] s = spacing();
    return String.format(java.util.Locale.ROOT, "%dx%dx%d, spacing %.4gx%.4gx%.4g mm, %s, origin %s",
        nx, ny, nz, s[0], s[1], s[2], orientation(),
        Arrays.toString(new double[] {affine[0][3], affine[1][3], affine[2][3]}));
  }
}
