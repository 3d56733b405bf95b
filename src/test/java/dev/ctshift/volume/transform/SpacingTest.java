package dev.ctshift.volume.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpacingTest {
  private static final ToDoubleFunction<double[]> LINEAR =
      p -> 3 + 0.5 * p[0] - 0.25 * p[1] + 0.125 * p[2];
  /** Smooth field: |second derivative| <= 100 / 15^2 per mm^2. */
  private static final ToDoubleFunction<double[]> SMOOTH =
      p -> 100 * Math.cos(p[0] / 15) * Math.cos(p[1] / 20) * Math.cos(p[2] / 25);


  /** Columns: codes, rotation (deg about z), dims, spacing, target spacing, expected new dims. */
  @ParameterizedTest(name = "{0} rot {1}: {2} @ {3} -> {4} mm gives {5}")
  @CsvSource({
    "RAS, 0, 20 16 10, 1 1 1, 2 2 2.5, 10 8 4",
    "LPS, 0, 30 25 12, 0.7 0.7 2.5, 1.5 1.5 3, 14 12 10",
    "PIR, 0, 9 11 7, 3 2 1, 1 1 1, 27 22 7",
    "RAS, 0, 6 5 3, 1 1 4, 1 1 6, 6 5 2",
    "LAS, 10, 12 10 8, 0.8 0.9 2, 1.1 0.6 1.3, 9 15 12",
    "RAS, 0, 4 4 4, 1 1 1, 10 10 10, 1 1 1"
  })
  void resamplesLinearFieldExactlyOnDocumentedGrid(
      String codes, double degrees, String dims, String spacing, String target, String expected) {
    int[] n = ints(dims);
    double[][] a = Synthetic.rotated(
        Synthetic.affine(codes, Synthetic.parse(spacing), new double[] {-40, 25, 60}), 2, degrees);
    Volume in = Synthetic.ofWorld(n[0], n[1], n[2], a, LINEAR);
    double[] mm = Synthetic.parse(target);

    Volume out = new Spacing(mm).apply(in);

    int[] m = ints(expected);
    assertArrayEquals(m, out.dims());
    assertArrayEquals(mm, out.spacing(), 1e-12);
    for (int r = 0; r < 3; r++) {
      assertArrayEquals(in.direction()[r], out.direction()[r], 1e-12, "direction row " + r);
    }
    double[] centreIn = Synthetic.world(a, (n[0] - 1) / 2.0, (n[1] - 1) / 2.0, (n[2] - 1) / 2.0);
    double[] centreOut = Synthetic.world(out.affine(), (m[0] - 1) / 2.0, (m[1] - 1) / 2.0, (m[2] - 1) / 2.0);
    assertArrayEquals(centreIn, centreOut, 1e-9, "field-of-view centre moved");

    // Trilinear interpolation reproduces a linear field; outside the input it clamps to the border,
    // where the value is the field at the clamped index.
    double[][] toInputIndex = Affine.invert(a);
    for (int k = 0; k < m[2]; k++) {
      for (int j = 0; j < m[1]; j++) {
        for (int i = 0; i < m[0]; i++) {
          double[] q = Affine.apply(toInputIndex, Synthetic.world(out.affine(), i, j, k));
          for (int c = 0; c < 3; c++) {
            q[c] = Math.min(Math.max(q[c], 0), n[c] - 1);
          }
          double expectedValue = LINEAR.applyAsDouble(Affine.apply(a, q));
          assertEquals(expectedValue, out.get(i, j, k), 1e-4, "voxel " + i + "," + j + "," + k);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}: {1} @ {2} -> {3} mm and back")
  @CsvSource({
    "LPS, 40 36 12, 0.7 0.7 2.5, 1.5 1.5 3",
    "RAS, 20 18 16, 3 3 3, 1.5 1.5 2",
    "PIR, 14 12 30, 2 2.5 1, 1 1 1.5"
  })
  void resampleAndInverseIsCloseToIdentityOnSmoothVolume(
      String codes, String dims, String spacing, String target) {
    int[] n = ints(dims);
    double[][] a = Synthetic.affine(codes, Synthetic.parse(spacing), new double[] {-20, 15, 5});
    Volume in = Synthetic.ofWorld(n[0], n[1], n[2], a, SMOOTH);
    Spacing step = new Spacing(Synthetic.parse(target));

    Volume out = step.apply(in);
    Volume back = step.invert(out, VolumeGeometry.of(in));

    assertArrayEquals(in.dims(), back.dims());
    assertEquals(0, Affine.maxAbsDiff(a, back.affine()));
    // Linear interpolation errs by at most h^2/8 |f''| per axis and pass (h <= 3 mm, |f''| <= 0.45):
    // under 3 in total away from the borders, where clamping adds up to |grad f| * h / 2 (10).
    double[][] toModelIndex = Affine.invert(out.affine());
    int interior = 0;
    for (int k = 0; k < n[2]; k++) {
      for (int j = 0; j < n[1]; j++) {
        for (int i = 0; i < n[0]; i++) {
          double[] q = Affine.apply(toModelIndex, Synthetic.world(a, i, j, k));
          boolean inside = true;
          for (int c = 0; c < 3; c++) {
            inside &= q[c] >= 1 && q[c] <= out.dims()[c] - 2;
          }
          interior += inside ? 1 : 0;
          double tol = inside ? 3 : 12;
          assertEquals(in.get(i, j, k), back.get(i, j, k), tol, "voxel " + i + "," + j + "," + k);
        }
      }
    }
    assertTrue(interior > in.voxelCount() / 3, "too few interior voxels: " + interior);
  }

  @Test
  void keepsVolumeWhoseSpacingMatchesWithinTolerance() {
    double[][] a = Synthetic.affine("LPS", new double[] {0.7004, 0.7, 2.5}, new double[] {1, 2, 3});
    Volume in = Synthetic.ofWorld(4, 3, 2, a, LINEAR);
    Spacing step = new Spacing(new double[] {0.7, 0.7, 2.5});
    assertSame(in, step.apply(in));
    assertSame(in, step.invert(in, VolumeGeometry.of(in)));
    assertEquals("Spacing(mm=[0.7, 0.7, 2.5])", step.describe());
  }

  private static int[] ints(String s) {
    double[] d = Synthetic.parse(s);
    return new int[] {(int) d[0], (int) d[1], (int) d[2]};
  }
}
