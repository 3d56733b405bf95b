package dev.ctshift.volume.transform;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;

/**
 * Reorders and flips the voxel axes so that they point as the axis codes say (e.g. "RAS": i toward
 * Right, j Anterior, k Superior), like MONAI's {@code Orientation}. No interpolation: values are
 * moved, and the affine changes so that every voxel keeps its world position.
 *
 * <p>For an oblique affine each voxel axis is matched to its closest world axis
 * ({@link Orientation#closestWorldAxes}); the result's {@link Volume#orientation()} reports the
 * requested codes. The inverse is exact.
 */
public final class Orient implements VolumeTransform {
  private final String codes;

  /** @throws IllegalArgumentException if {@code codes} is not like "RAS" or "LPS" */
  public Orient(String codes) {
    this.codes = Orientation.validate(codes);
  }

  /** The target axis codes, upper case. */
  public String codes() {
    return codes;
  }

  @Override
  public Volume apply(Volume in) {
    return Grids.copyOnto(in, outputGeometry(VolumeGeometry.of(in)), 0f);
  }

  @Override
  public VolumeGeometry outputGeometry(VolumeGeometry in) {
    double[][] a = in.affine();
    int[] dims = in.dims();
    int[] worldOfAxis = Orientation.closestWorldAxes(a);
    double[][] out = Affine.identity();
    int[] outDims = new int[3];
    // Index in the input of the voxel that becomes output voxel (0, 0, 0).
    double[] corner = new double[3];
    for (int t = 0; t < 3; t++) {
      char code = codes.charAt(t);
      int w = Orientation.worldAxisOf(code);
      int c = indexOf(worldOfAxis, w);
      boolean flip = (a[w][c] >= 0) != Orientation.isPositive(code);
      for (int r = 0; r < 3; r++) {
        out[r][t] = flip ? -a[r][c] : a[r][c];
      }
      outDims[t] = dims[c];
      corner[c] = flip ? dims[c] - 1 : 0;
    }
    double[] origin = Affine.apply(a, corner);
    for (int r = 0; r < 3; r++) {
      out[r][3] = origin[r];
    }
    return new VolumeGeometry(outDims[0], outDims[1], outDims[2], out);
  }

  private static int indexOf(int[] values, int v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == v) {
        return i;
      }
    }
    throw new IllegalStateException("closestWorldAxes must be a permutation");
  }

  @Override
  public Volume invert(Volume out, VolumeGeometry in) {
    Grids.requireOn(out, outputGeometry(in), this);
    return Grids.copyOnto(out, in, 0f);
  }

  @Override
  public String describe() {
    return "Orient(codes=" + codes + ")";
  }
}
