package dev.ctshift.volume;

import java.util.Arrays;

/**
 * A 3D scalar volume with its full geometry: voxel values plus the affine that maps voxel indices to
 * world coordinates in millimetres.
 *
 * <p><b>Axis order.</b> Voxel {@code (i, j, k)} is stored at {@code data[i + nx * (j + ny * k)]}: i is
 * the fastest axis, as in NIfTI. Read as a C-order array this is {@code [nz][ny][nx]}, i.e. a tensor
 * {@code [D, H, W]} with D = k (slices), H = j (rows), W = i (columns).
 *
 * <p><b>World space.</b> The affine maps {@code (i, j, k, 1)} to RAS+ millimetres, the NIfTI
 * convention: +x toward the patient's Right, +y Anterior, +z Superior. DICOM's LPS coordinates are
 * converted on reading (negate x and y). See {@link Orientation} for axis codes.
 *
 * <p><b>Ownership.</b> The constructor wraps the given array without copying; {@link #withData} makes a
 * volume with new values and the same geometry. Volumes are not modified after construction by
 * convention: code that needs a changed copy uses {@link #copy()} first.
 */
public final class Volume {
  private final int nx;
  private final int ny;
  private final int nz;
  private final float[] data;
  private final double[][] affine;

  /**
   * Wraps {@code data} (not copied) as a volume of the given size and voxel-to-world affine.
   *
   * @throws IllegalArgumentException if the sizes are not positive, the array length does not match,
   *     or the affine is not a 4x4 matrix with an invertible 3x3 part
   */
  public Volume(int nx, int ny, int nz, float[] data, double[][] affine) {
    if (nx <= 0 || ny <= 0 || nz <= 0) {
      throw new IllegalArgumentException("dims must be positive, got " + nx + "x" + ny + "x" + nz);
    }
    if ((long) nx * ny * nz != data.length) {
      throw new IllegalArgumentException(
          "data length " + data.length + " does not match dims " + nx + "x" + ny + "x" + nz);
    }
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.data = data;
    this.affine = Affine.copyOf(affine);
    if (Math.abs(Affine.det3(this.affine)) < 1e-12) {
      throw new IllegalArgumentException("affine is singular: " + Affine.toString(this.affine));
    }
  }

  /** A volume filled with zeros. */
  public static Volume zeros(int nx, int ny, int nz, double[][] affine) {
    return new Volume(nx, ny, nz, new float[Math.multiplyExact(Math.multiplyExact(nx, ny), nz)], affine);
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

  public int voxelCount() {
    return data.length;
  }

  /** The backing array (not a copy): index {@code i + nx * (j + ny * k)}. */
  public float[] data() {
    return data;
  }

  /** A copy of the 4x4 voxel-to-world (RAS+ mm) affine. */
  public double[][] affine() {
    return Affine.copyOf(affine);
  }

  /** Voxel size in mm along i, j, k: the norms of the affine's first three columns. */
  public double[] spacing() {
    return Affine.columnNorms(affine);
  }

  /** World position (RAS+ mm) of voxel (0, 0, 0). */
  public double[] origin() {
    return new double[] {affine[0][3], affine[1][3], affine[2][3]};
  }

  /**
   * Unit direction cosines: column c is the world direction in which voxel axis c increases.
   * {@code direction()[row][col]}.
   */
  public double[][] direction() {
    double[] s = spacing();
    double[][] d = new double[3][3];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        d[r][c] = affine[r][c] / s[c];
      }
    }
    return d;
  }

  /** Axis codes such as "RAS" or "LPS": the world direction each voxel axis increases toward. */
  public String orientation() {
    return Orientation.codes(affine);
  }

  public int index(int i, int j, int k) {
    return i + nx * (j + ny * k);
  }

  public float get(int i, int j, int k) {
    return data[index(i, j, k)];
  }

  /** A volume with the same geometry and the given values (wrapped, not copied). */
  public Volume withData(float[] values) {
    return new Volume(nx, ny, nz, values, affine);
  }

  /** A deep copy. */
  public Volume copy() {
    return withData(data.clone());
  }

  /** True if dims and affine agree within {@code tolMm} on every affine entry. */
  public boolean sameGeometry(Volume other, double tolMm) {
    return Arrays.equals(dims(), other.dims()) && Affine.maxAbsDiff(affine, other.affine) <= tolMm;
  }

  /** Minimum and maximum voxel value. */
  public float[] range() {
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return new float[] {lo, hi};
  }

  @Override
  public String toString() {
    double[] s = spacing();
    return String.format(
        "Volume[%dx%dx%d, spacing %.3gx%.3gx%.3g mm, %s]", nx, ny, nz, s[0], s[1], s[2], orientation());
  }
}
