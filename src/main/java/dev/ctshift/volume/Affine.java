package dev.ctshift.volume;

/** Small helpers for 4x4 homogeneous affines stored as {@code double[row][col]}. */
public final class Affine {
  private Affine() {}

  public static double[][] identity() {
    double[][] a = new double[4][4];
    for (int i = 0; i < 4; i++) {
      a[i][i] = 1;
    }
    return a;
  }

  /** Diagonal scaling by the given spacing, origin at zero. */
  public static double[][] ofSpacing(double sx, double sy, double sz) {
    double[][] a = identity();
    a[0][0] = sx;
    a[1][1] = sy;
    a[2][2] = sz;
    return a;
  }

  public static double[][] copyOf(double[][] a) {
    if (a.length != 4) {
      throw new IllegalArgumentException("affine must be 4x4, got " + a.length + " rows");
    }
    double[][] c = new double[4][];
    for (int i = 0; i < 4; i++) {
      if (a[i].length != 4) {
        throw new IllegalArgumentException("affine must be 4x4, row " + i + " has " + a[i].length);
      }
      c[i] = a[i].clone();
    }
    return c;
  }

  public static double[][] multiply(double[][] a, double[][] b) {
    double[][] c = new double[4][4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        double s = 0;
        for (int k = 0; k < 4; k++) {
          s += a[i][k] * b[k][j];
        }
        c[i][j] = s;
      }
    }
    return c;
  }

  /** Applies the affine to the point {@code p} (length 3). */
  public static double[] apply(double[][] a, double[] p) {
    double[] q = new double[3];
    for (int r = 0; r < 3; r++) {
      q[r] = a[r][0] * p[0] + a[r][1] * p[1] + a[r][2] * p[2] + a[r][3];
    }
    return q;
  }

  /** Inverse of a 4x4 affine whose last row is (0, 0, 0, 1). */
  public static double[][] invert(double[][] a) {
    double det = det3(a);
    if (Math.abs(det) < 1e-15) {
      throw new IllegalArgumentException("singular affine: " + toString(a));
    }
    double[][] m = new double[4][4];
    m[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
    m[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
    m[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
    m[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
    m[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
    m[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
    m[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
    m[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
    m[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
    for (int r = 0; r < 3; r++) {
      m[r][3] = -(m[r][0] * a[0][3] + m[r][1] * a[1][3] + m[r][2] * a[2][3]);
    }
    m[3][3] = 1;
    return m;
  }

  public static double det3(double[][] a) {
    return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
        - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
        + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  }

  public static double[] columnNorms(double[][] a) {
    double[] n = new double[3];
    for (int c = 0; c < 3; c++) {
      n[c] = Math.sqrt(a[0][c] * a[0][c] + a[1][c] * a[1][c] + a[2][c] * a[2][c]);
    }
    return n;
  }

  public static double maxAbsDiff(double[][] a, double[][] b) {
    double m = 0;
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return m;
  }

  public static String toString(double[][] a) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < a.length; i++) {
      sb.append(i == 0 ? "[" : ", [");
      for (int j = 0; j < a[i].length; j++) {
        sb.append(j == 0 ? "" : ", ").append(String.format("%.4g", a[i][j]));
      }
      sb.append(']');
    }
    return sb.append(']').toString();
  }
}
