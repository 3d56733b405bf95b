package dev.ctshift.evaluate;

/**
 * Dilates a binary mask by a radius in millimetres on a grid with its own voxel size along each axis:
 * a voxel joins the mask if its centre lies within the radius (Euclidean, in mm) of some mask voxel's
 * centre (squared distance at most {@code radius² · (1 + 1e-6)}). Exact, by a separable squared
 * Euclidean distance transform (lower envelope of parabolas per axis), computed only inside the mask's
 * bounding box grown by the radius.
 *
 * <p>{@link #dilateVoxels} grows a mask by whole voxels instead (a cube, whatever the spacing), for label
 * maps compared on their own grid.
 *
 * <p>Masks are flat arrays indexed {@code i + nx * (j + ny * k)}, as {@link dev.ctshift.volume.Volume}.
 */
public final class MaskDilation {
  /** Relative tolerance on the squared radius (distances are stored in float). */
  static final double TOLERANCE = 1e-6;

  private MaskDilation() {}

  /**
   * The dilated mask (new array; the input is not modified).
   *
   * @param spacingMm voxel size along i, j, k in mm
   * @param radiusMm dilation radius in mm, {@code >= 0}; 0 returns a copy of the mask
   */
  public static boolean[] dilate(boolean[] mask, int nx, int ny, int nz, double[] spacingMm, double radiusMm) {
    if (mask.length != (long) nx * ny * nz) {
      throw new IllegalArgumentException("mask has " + mask.length + " voxels, grid " + nx + "x" + ny + "x" + nz);
    }
    if (!(radiusMm >= 0)) {
      throw new IllegalArgumentException("dilation radius must be >= 0 mm, got " + radiusMm);
    }
    int[] n = {nx, ny, nz};
    int[] lo = {nx, ny, nz};
    int[] hi = {-1, -1, -1};
    for (int v = 0; v < mask.length; v++) {
      if (mask[v]) {
        int[] ijk = {v % nx, (v / nx) % ny, v / (nx * ny)};
        for (int a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a], ijk[a]);
          hi[a] = Math.max(hi[a], ijk[a]);
        }
      }
    }
    boolean[] out = mask.clone();
    if (hi[0] < 0 || radiusMm == 0) {
      return out;
    }
    int[] size = new int[3];
    for (int a = 0; a < 3; a++) {
      int reach = (int) Math.floor(radiusMm / spacingMm[a]);
      lo[a] = Math.max(0, lo[a] - reach);
      hi[a] = Math.min(n[a] - 1, hi[a] + reach);
      size[a] = hi[a] - lo[a] + 1;
    }
    float[] d = squaredDistance(mask, nx, ny, lo, size, spacingMm);
    // Distances are held as float: a relative tolerance keeps centres lying exactly on the sphere
    // (e.g. 2 voxels of 3 mm for 6 mm) inside.
    double limit = radiusMm * radiusMm * (1 + TOLERANCE);
    for (int k = 0; k < size[2]; k++) {
      for (int j = 0; j < size[1]; j++) {
        for (int i = 0; i < size[0]; i++) {
          if (d[i + size[0] * (j + size[1] * k)] <= limit) {
            out[(lo[0] + i) + nx * ((lo[1] + j) + ny * (lo[2] + k))] = true;
          }
        }
      }
    }
    return out;
  }

  /**
   * The mask grown by {@code steps} voxels along every axis and diagonal (new array; the input is not
   * modified): a voxel joins if some mask voxel lies within {@code steps} in each of i, j and k, which
   * is {@code steps} rounds of 26-neighbourhood dilation. Separable: one pass per axis.
   *
   * @param steps voxels to grow by, {@code >= 0}; 0 returns a copy of the mask
   */
  public static boolean[] dilateVoxels(boolean[] mask, int nx, int ny, int nz, int steps) {
    if (mask.length != (long) nx * ny * nz) {
      throw new IllegalArgumentException("mask has " + mask.length + " voxels, grid " + nx + "x" + ny + "x" + nz);
    }
    if (steps < 0) {
      throw new IllegalArgumentException("dilation steps must be >= 0, got " + steps);
    }
    boolean[] out = mask.clone();
    int[] n = {nx, ny, nz};
    int[] stride = {1, nx, nx * ny};
    for (int axis = 0; axis < 3 && steps > 0; axis++) {
      boolean[] in = out;
      out = new boolean[in.length];
      for (int v = 0; v < in.length; v++) {
        if (in[v]) {
          int at = (v / stride[axis]) % n[axis];
          int from = Math.max(0, at - steps);
          int to = Math.min(n[axis] - 1, at + steps);
          for (int c = from; c <= to; c++) {
            out[v + (c - at) * stride[axis]] = true;
          }
        }
      }
    }
    return out;
  }

  /** Squared distance in mm² from each voxel of the box to the nearest mask voxel (infinite if none). */
  private static float[] squaredDistance(boolean[] mask, int nx, int ny, int[] lo, int[] size, double[] spacing) {
    float[] d = new float[size[0] * size[1] * size[2]];
    for (int k = 0; k < size[2]; k++) {
      for (int j = 0; j < size[1]; j++) {
        for (int i = 0; i < size[0]; i++) {
          boolean in = mask[(lo[0] + i) + nx * ((lo[1] + j) + ny * (lo[2] + k))];
          d[i + size[0] * (j + size[1] * k)] = in ? 0 : Float.POSITIVE_INFINITY;
        }
      }
    }
    int longest = Math.max(size[0], Math.max(size[1], size[2]));
    double[] f = new double[longest];
    double[] g = new double[longest];
    int[] hull = new int[longest];
    double[] bounds = new double[longest + 1];
    int[] stride = {1, size[0], size[0] * size[1]};
    for (int axis = 0; axis < 3; axis++) {
      int len = size[axis];
      int b = (axis + 1) % 3;
      int c = (axis + 2) % 3;
      for (int y = 0; y < size[b]; y++) {
        for (int z = 0; z < size[c]; z++) {
          int base = y * stride[b] + z * stride[c];
          for (int p = 0; p < len; p++) {
            f[p] = d[base + p * stride[axis]];
          }
          envelope(f, len, spacing[axis], g, hull, bounds);
          for (int p = 0; p < len; p++) {
            d[base + p * stride[axis]] = (float) g[p];
          }
        }
      }
    }
    return d;
  }

  /**
   * One axis of the transform: {@code g[q] = min_p f[p] + ((q - p) * s)²}, by the lower envelope of
   * the parabolas rooted at the finite {@code f[p]}.
   */
  private static void envelope(double[] f, int len, double s, double[] g, int[] hull, double[] bounds) {
    int k = -1;
    for (int q = 0; q < len; q++) {
      if (Double.isInfinite(f[q])) {
        continue;
      }
      double xq = q * s;
      while (k >= 0) {
        double xv = hull[k] * s;
        double cross = ((f[q] + xq * xq) - (f[hull[k]] + xv * xv)) / (2 * (xq - xv));
        if (cross <= bounds[k]) {
          k--;
        } else {
          hull[++k] = q;
          bounds[k] = cross;
          break;
        }
      }
      if (k < 0) {
        hull[0] = q;
        bounds[0] = Double.NEGATIVE_INFINITY;
        k = 0;
      }
    }
    if (k < 0) {
      java.util.Arrays.fill(g, 0, len, Double.POSITIVE_INFINITY);
      return;
    }
    int h = 0;
    for (int q = 0; q < len; q++) {
      double x = q * s;
      while (h < k && bounds[h + 1] < x) {
        h++;
      }
      double dx = x - hull[h] * s;
      g[q] = f[hull[h]] + dx * dx;
    }
  }
}
