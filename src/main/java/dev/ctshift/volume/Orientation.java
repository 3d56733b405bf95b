package dev.ctshift.volume;

/**
 * Axis codes of a voxel grid, as in nibabel's {@code aff2axcodes}: for each voxel axis the world
 * direction (in RAS+ space) it increases toward, e.g. "RAS" (i toward Right, j Anterior, k Superior)
 * or "LPS" (DICOM's patient-based order).
 */
public final class Orientation {
  private static final char[] POSITIVE = {'R', 'A', 'S'};
  private static final char[] NEGATIVE = {'L', 'P', 'I'};

  private Orientation() {}

  /** The codes of the closest axis-aligned orientation of the affine's 3x3 part. */
  public static String codes(double[][] affine) {
    int[] worldAxis = closestWorldAxes(affine);
    StringBuilder sb = new StringBuilder(3);
    for (int c = 0; c < 3; c++) {
      int w = worldAxis[c];
      sb.append(affine[w][c] >= 0 ? POSITIVE[w] : NEGATIVE[w]);
    }
    return sb.toString();
  }

  /**
   * For each voxel axis c, the world axis (0 = x, 1 = y, 2 = z) its direction is closest to, chosen
   * so that the three are distinct (greedy on the largest absolute cosine).
   */
  public static int[] closestWorldAxes(double[][] affine) {
    double[] s = Affine.columnNorms(affine);
    int[] result = {-1, -1, -1};
    boolean[] usedWorld = new boolean[3];
    for (int round = 0; round < 3; round++) {
      double best = -1;
      int bestC = -1;
      int bestW = -1;
      for (int c = 0; c < 3; c++) {
        if (result[c] >= 0) {
          continue;
        }
        for (int w = 0; w < 3; w++) {
          if (usedWorld[w]) {
            continue;
          }
          double v = Math.abs(affine[w][c]) / s[c];
          if (v > best) {
            best = v;
            bestC = c;
            bestW = w;
          }
        }
      }
      result[bestC] = bestW;
      usedWorld[bestW] = true;
    }
    return result;
  }

  /** Validates a three-letter code such as "RAS", "LPS", "LAS". */
  public static String validate(String codes) {
    String c = codes == null ? "" : codes.toUpperCase(java.util.Locale.ROOT);
    if (c.length() != 3) {
      throw new IllegalArgumentException("orientation must be three letters like RAS or LPS, got '" + codes + "'");
    }
    boolean[] seen = new boolean[3];
    for (int k = 0; k < 3; k++) {
      int axis = worldAxisOf(c.charAt(k));
      if (axis < 0 || seen[axis]) {
        throw new IllegalArgumentException(
            "orientation must name each of R/L, A/P, S/I once, got '" + codes + "'");
      }
      seen[axis] = true;
    }
    return c;
  }

  /** 0 for R/L, 1 for A/P, 2 for S/I, -1 otherwise. */
  public static int worldAxisOf(char code) {
    switch (code) {
      case 'R': case 'L': return 0;
      case 'A': case 'P': return 1;
      case 'S': case 'I': return 2;
      default: return -1;
    }
  }

  /** True if the code points toward the positive RAS direction of its world axis. */
  public static boolean isPositive(char code) {
    return code == 'R' || code == 'A' || code == 'S';
  }
}
