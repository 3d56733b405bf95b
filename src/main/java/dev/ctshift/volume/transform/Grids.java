package dev.ctshift.volume.transform;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;

/** Copying and resampling a volume onto another grid, by world position. */
final class Grids {
  /** Grids computed by the transforms agree to rounding error; anything larger is a wrong input. */
  static final double GRID_TOL_MM = 1e-6;
  private static final double INDEX_TOL = 1e-4;

  private Grids() {}

  /** Throws unless {@code v} lies on {@code expected}, naming the step that was being inverted. */
  static void requireOn(Volume v, VolumeGeometry expected, VolumeTransform step) {
    if (!expected.holds(v, GRID_TOL_MM)) {
      throw new IllegalArgumentException(step.describe() + ": cannot invert a volume on grid ["
          + VolumeGeometry.of(v) + "]; expected the grid it produced [" + expected + "]");
    }
  }

  /** Maps voxel indices of {@code dst} to (continuous) voxel indices of {@code src}. */
  private static double[][] dstToSrc(Volume src, VolumeGeometry dst) {
    return Affine.multiply(Affine.invert(src.affine()), dst.affine());
  }

  /**
   * Copies {@code src} onto {@code dst} when the two grids differ only by a permutation and flips of
   * the axes and a whole-voxel shift; voxels of {@code dst} outside {@code src} get {@code fill}.
   * Returns {@code src} itself when the grids are identical.
   *
   * @throws IllegalArgumentException if the grids are not related that way
   */
  static Volume copyOnto(Volume src, VolumeGeometry dst, float fill) {
    double[][] m = dstToSrc(src, dst);
    int[][] p = new int[3][4];
    boolean identity = java.util.Arrays.equals(src.dims(), dst.dims());
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        p[r][c] = (int) Math.round(m[r][c]);
        if (Math.abs(m[r][c] - p[r][c]) > INDEX_TOL) {
          throw notAligned(src, dst);
        }
        identity &= p[r][c] == (r == c ? 1 : 0);
      }
    }
    requireSignedPermutation(p, src, dst);
    if (identity) {
      return src;
    }
    float[] in = src.data();
    float[] out = new float[dst.voxelCount()];
    int snx = src.nx();
    int sny = src.ny();
    int snz = src.nz();
    int n = 0;
    for (int k = 0; k < dst.nz(); k++) {
      for (int j = 0; j < dst.ny(); j++) {
        // Source coordinates of dst voxel (0, j, k); each step along i adds column 0 of p.
        int s0 = p[0][1] * j + p[0][2] * k + p[0][3];
        int s1 = p[1][1] * j + p[1][2] * k + p[1][3];
        int s2 = p[2][1] * j + p[2][2] * k + p[2][3];
        for (int i = 0; i < dst.nx(); i++, n++) {
          boolean inside = s0 >= 0 && s0 < snx && s1 >= 0 && s1 < sny && s2 >= 0 && s2 < snz;
          out[n] = inside ? in[s0 + snx * (s1 + sny * s2)] : fill;
          s0 += p[0][0];
          s1 += p[1][0];
          s2 += p[2][0];
        }
      }
    }
    return dst.wrap(out);
  }

  private static void requireSignedPermutation(int[][] p, Volume src, VolumeGeometry dst) {
    for (int r = 0; r < 3; r++) {
      int rowNonZero = 0;
      int colNonZero = 0;
      for (int c = 0; c < 3; c++) {
        rowNonZero += Math.abs(p[r][c]);
        colNonZero += Math.abs(p[c][r]);
        if (Math.abs(p[r][c]) > 1) {
          throw notAligned(src, dst);
        }
      }
      if (rowNonZero != 1 || colNonZero != 1) {
        throw notAligned(src, dst);
      }
    }
  }

  private static IllegalArgumentException notAligned(Volume src, VolumeGeometry dst) {
    return new IllegalArgumentException("grids are not related by axis permutation, flips and a "
        + "whole-voxel shift: [" + VolumeGeometry.of(src) + "] -> [" + dst + "]");
  }

  /**
   * Trilinear resampling of {@code src} at the world positions of the voxels of {@code dst}, whose
   * axes must point along those of {@code src} (only spacing and origin may differ). Positions
   * outside {@code src} take the value of the nearest border voxel (clamping).
   *
   * @throws IllegalArgumentException if the axis directions differ
   */
  static Volume trilinearOnto(Volume src, VolumeGeometry dst) {
    double[][] m = dstToSrc(src, dst);
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        if (r != c && Math.abs(m[r][c]) > 1e-6) {
          throw new IllegalArgumentException("trilinear resampling needs grids with the same axis "
              + "directions: [" + VolumeGeometry.of(src) + "] -> [" + dst + "]");
        }
      }
    }
    // The mapping is separable, so per-axis tables of (low index, high index, weight) suffice.
    Axis ax = new Axis(m[0][0], m[0][3], dst.nx(), src.nx());
    Axis ay = new Axis(m[1][1], m[1][3], dst.ny(), src.ny());
    Axis az = new Axis(m[2][2], m[2][3], dst.nz(), src.nz());
    float[] in = src.data();
    float[] out = new float[dst.voxelCount()];
    int snx = src.nx();
    int slice = snx * src.ny();
    int n = 0;
    for (int k = 0; k < dst.nz(); k++) {
      int zlo = az.lo[k] * slice;
      int zhi = az.hi[k] * slice;
      double wz = az.w[k];
      for (int j = 0; j < dst.ny(); j++) {
        int r00 = zlo + ay.lo[j] * snx;
        int r01 = zlo + ay.hi[j] * snx;
        int r10 = zhi + ay.lo[j] * snx;
        int r11 = zhi + ay.hi[j] * snx;
        double wy = ay.w[j];
        for (int i = 0; i < dst.nx(); i++, n++) {
          int a = ax.lo[i];
          int b = ax.hi[i];
          double wx = ax.w[i];
          double c00 = in[r00 + a] + wx * (in[r00 + b] - in[r00 + a]);
          double c01 = in[r01 + a] + wx * (in[r01 + b] - in[r01 + a]);
          double c10 = in[r10 + a] + wx * (in[r10 + b] - in[r10 + a]);
          double c11 = in[r11 + a] + wx * (in[r11 + b] - in[r11 + a]);
          double c0 = c00 + wy * (c01 - c00);
          double c1 = c10 + wy * (c11 - c10);
          out[n] = (float) (c0 + wz * (c1 - c0));
        }
      }
    }
    return dst.wrap(out);
  }

  /** Source index x = scale * t + shift for each destination index t, clamped into the source. */
  private static final class Axis {
    final int[] lo;
    final int[] hi;
    final double[] w;

    Axis(double scale, double shift, int dstN, int srcN) {
      lo = new int[dstN];
      hi = new int[dstN];
      w = new double[dstN];
      for (int t = 0; t < dstN; t++) {
        double x = Math.min(Math.max(scale * t + shift, 0), srcN - 1);
        int l = Math.max(0, Math.min((int) Math.floor(x), srcN - 2));
        lo[t] = l;
        hi[t] = Math.min(l + 1, srcN - 1);
        w[t] = x - l;
      }
    }
  }
}
