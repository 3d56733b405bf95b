package dev.ctshift.io.nifti;

import static dev.ctshift.io.nifti.NiftiTestSupport.rotation;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ctshift.volume.Affine;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quaternion <-> affine conversions against closed-form rotations and algebraic properties. */
class NiftiGeometryTest {
  private static double[][] withSpacingAndOrigin(double[][] linear, double... spacing) {
    double[][] a = Affine.multiply(linear, Affine.ofSpacing(spacing[0], spacing[1], spacing[2]));
    a[0][3] = 10.5;
    a[1][3] = -20.25;
    a[2][3] = 300;
    return a;
  }

  private static double[][] roundTrip(double[][] a) {
    return NiftiGeometry.qformToAffine(NiftiGeometry.affineToQform(a));
  }

  @Test
  void quarterTurnAboutZMatchesTheClosedForm() {
    double s = Math.sqrt(0.5); // a = cos 45 deg, d = sin 45 deg
    double[][] a = NiftiGeometry.qformToAffine(
        new NiftiGeometry.Qform(0, 0, s, 1, new double[] {1, 2, 3}, new double[] {4, 5, 6}));
    double[][] expected = {{0, -2, 0, 4}, {1, 0, 0, 5}, {0, 0, 3, 6}, {0, 0, 0, 1}};
    assertEquals(0, Affine.maxAbsDiff(expected, a), 1e-12, Affine.toString(a));
  }

  @Test
  void qfacMinusOneFlipsTheThirdAxis() {
    double[][] a = NiftiGeometry.qformToAffine(
        new NiftiGeometry.Qform(0, 0, 0, -1, new double[] {1, 1, 2}, new double[] {0, 0, 0}));
    assertEquals(-2, a[2][2]);
  }

  /** All 48 axis-aligned orientations (signed permutations), including the 180-degree rotations. */
  @Test
  void everyAxisAlignedOrientationRoundTrips() {
    int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int[] p : perms) {
      for (int signs = 0; signs < 8; signs++) {
        double[][] m = Affine.identity();
        for (int c = 0; c < 3; c++) {
          m[c][c] = 0;
        }
        for (int c = 0; c < 3; c++) {
          m[p[c]][c] = ((signs >> c) & 1) == 1 ? -1 : 1;
        }
        double[][] a = withSpacingAndOrigin(m, 0.7, 1.1, 2.5);
        assertEquals(0, Affine.maxAbsDiff(a, roundTrip(a)), 1e-12, Affine.toString(a));
      }
    }
  }

  @Test
  void randomObliqueAffinesOfBothHandednessRoundTrip() {
    Random random = new Random(42);
    for (int n = 0; n < 500; n++) {
      double[][] r = Affine.multiply(Affine.multiply(
          rotation(0, random.nextDouble() * 7), rotation(1, random.nextDouble() * 7)),
          rotation(2, random.nextDouble() * 7));
      double flip = random.nextBoolean() ? -1 : 1;
      double[][] a = withSpacingAndOrigin(r, 0.5 + random.nextDouble(), 0.5 + random.nextDouble(), flip * 3);
      assertEquals(0, Affine.maxAbsDiff(a, roundTrip(a)), 1e-10, Affine.toString(a));
    }
  }

  /** For m = R * S with R a rotation and S symmetric positive definite, the polar factor is R. */
  @Test
  void polarFactorRemovesASymmetricStretch() {
    double[][] r4 = Affine.multiply(rotation(0, 0.3), rotation(2, -1.1));
    double[][] stretch = {{1.2, 0.1, 0, 0}, {0.1, 0.9, 0.05, 0}, {0, 0.05, 1.1, 0}, {0, 0, 0, 1}};
    double[][] m4 = Affine.multiply(r4, stretch);
    double[][] m = new double[3][3];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(m4[i], 0, m[i], 0, 3);
    }
    double[][] polar = NiftiGeometry.orthogonalPolarFactor(m);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(r4[i][j], polar[i][j], 1e-12);
      }
    }
  }
}
