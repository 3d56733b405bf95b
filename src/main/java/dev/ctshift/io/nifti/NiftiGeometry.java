package dev.ctshift.io.nifti;

import dev.ctshift.volume.Affine;

/**
 * Conversions between NIfTI's quaternion form (qform) and 4x4 voxel-to-RAS+ affines. The qform is a
 * rotation R given by the unit quaternion (a, b, c, d) with a >= 0, voxel sizes (dx, dy, dz) and
 * qfac = +-1: {@code x = R * diag(dx, dy, qfac * dz) * (i, j, k) + offset}.
 */
final class NiftiGeometry {
  private NiftiGeometry() {}

  /** A qform: quaternion (b, c, d), qfac, voxel sizes and offset. */
  record Qform(double b, double c, double d, double qfac, double[] pixdim, double[] offset) {}

  /** The affine of a qform; a quaternion whose b, c, d exceed unit length is renormalised. */
  static double[][] qformToAffine(Qform q) {
    double b = q.b();
    double c = q.c();
    double d = q.d();
    double aa = 1 - (b * b + c * c + d * d);
    double a;
    if (aa < 1e-7) {
      // Rounding (or a sloppy writer) left |(b, c, d)| >= 1: a is 0, a 180-degree rotation.
      double n = Math.sqrt(b * b + c * c + d * d);
      b /= n;
      c /= n;
      d /= n;
      a = 0;
    } else {
      a = Math.sqrt(aa);
    }
    double[][] r = {
      {a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
      {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
      {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b}
    };
    double[] scale = {q.pixdim()[0], q.pixdim()[1], q.qfac() * q.pixdim()[2]};
    double[][] m = Affine.identity();
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col < 3; col++) {
        m[row][col] = r[row][col] * scale[col];
      }
      m[row][3] = q.offset()[row];
    }
    return m;
  }

  /**
   * The qform closest to {@code affine}: voxel sizes are the column norms, qfac = -1 for a left-handed
   * affine, and the rotation is the orthogonal polar factor of the normalised columns, so an affine with
   * shear gets the nearest rotation (the sform keeps it exactly).
   */
  static Qform affineToQform(double[][] affine) {
    double[] size = Affine.columnNorms(affine);
    double qfac = Affine.det3(affine) < 0 ? -1 : 1;
    double[][] m = new double[3][3];
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col < 3; col++) {
        m[row][col] = affine[row][col] / size[col] * (col == 2 ? qfac : 1);
      }
    }
    double[][] r = orthogonalPolarFactor(m);
    // Quaternion from a proper rotation, branching on the largest component for accuracy.
    double trace = r[0][0] + r[1][1] + r[2][2];
    double a;
    double b;
    double c;
    double d;
    if (trace > 0) {
      double s = 2 * Math.sqrt(1 + trace);
      a = s / 4;
      b = (r[2][1] - r[1][2]) / s;
      c = (r[0][2] - r[2][0]) / s;
      d = (r[1][0] - r[0][1]) / s;
    } else if (r[0][0] >= r[1][1] && r[0][0] >= r[2][2]) {
      double s = 2 * Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]);
      a = (r[2][1] - r[1][2]) / s;
      b = s / 4;
      c = (r[0][1] + r[1][0]) / s;
      d = (r[0][2] + r[2][0]) / s;
    } else if (r[1][1] >= r[2][2]) {
      double s = 2 * Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]);
      a = (r[0][2] - r[2][0]) / s;
      b = (r[0][1] + r[1][0]) / s;
      c = s / 4;
      d = (r[1][2] + r[2][1]) / s;
    } else {
      double s = 2 * Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]);
      a = (r[1][0] - r[0][1]) / s;
      b = (r[0][2] + r[2][0]) / s;
      c = (r[1][2] + r[2][1]) / s;
      d = s / 4;
    }
    if (a < 0) {
      // NIfTI stores only b, c, d and takes a >= 0; (a, b, c, d) and its negation are the same rotation.
      b = -b;
      c = -c;
      d = -d;
    }
    return new Qform(b, c, d, qfac, size, new double[] {affine[0][3], affine[1][3], affine[2][3]});
  }

  /**
   * The orthogonal matrix nearest to the non-singular {@code m} (Frobenius norm), by Newton's iteration
   * X <- (X + X^-T) / 2, which converges quadratically; a rotation input is returned unchanged.
   */
  static double[][] orthogonalPolarFactor(double[][] m) {
    double[][] x = new double[3][];
    for (int i = 0; i < 3; i++) {
      x[i] = m[i].clone();
    }
    for (int iter = 0; iter < 100; iter++) {
      double[][] invT = inverseTranspose3(x);
      double change = 0;
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          double next = 0.5 * (x[i][j] + invT[i][j]);
          change = Math.max(change, Math.abs(next - x[i][j]));
          x[i][j] = next;
        }
      }
      if (change < 1e-14) {
        break;
      }
    }
    return x;
  }

  private static double[][] inverseTranspose3(double[][] m) {
    double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    // The inverse transpose is the cofactor matrix divided by the determinant.
    double[][] t = new double[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        int i1 = (i + 1) % 3;
        int i2 = (i + 2) % 3;
        int j1 = (j + 1) % 3;
        int j2 = (j + 2) % 3;
        t[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
      }
    }
    return t;
  }
}
