package dev.ctshift.volume.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrientTest {
  private static final int[] DIMS = {3, 4, 5};
  private static final double[] SPACING = {0.7, 0.9, 2.5};
  private static final double[] ORIGIN = {10, -20, 30};

  @ParameterizedTest(name = "{0} -> {1}, rotated {3} deg about world axis {2}")
  @CsvSource({
    "RAS, LPS, 0, 0", "LPS, RAS, 0, 0", "LAS, RAS, 0, 0", "PIR, RAS, 0, 0", "RAS, PIR, 0, 0",
    "ASL, LPS, 0, 0", "IPL, RAS, 0, 0", "SLP, AIR, 0, 0", "RAS, RAS, 0, 0",
    // Oblique grids: each axis goes to its closest world axis.
    "RAS, LPS, 2, 12", "LPS, RAS, 0, -20", "PIR, LAS, 1, 30", "ASL, RAS, 2, -8"
  })
  void movesVoxelsKeepingWorldPositions(String from, String to, int rotAxis, double degrees) {
    double[][] a = Synthetic.rotated(Synthetic.affine(from, SPACING, ORIGIN), rotAxis, degrees);
    Volume in = Synthetic.indexCoded(DIMS[0], DIMS[1], DIMS[2], a);

    Volume out = new Orient(to).apply(in);

    assertEquals(to, out.orientation());
    for (int t = 0; t < 3; t++) {
      int c = axisOfWorld(from, Orientation.worldAxisOf(to.charAt(t)));
      assertEquals(DIMS[c], out.dims()[t], "size of output axis " + t);
      assertEquals(SPACING[c], out.spacing()[t], 1e-12, "spacing of output axis " + t);
    }
    double[][] toInputIndex = Affine.invert(in.affine());
    for (int k = 0; k < out.nz(); k++) {
      for (int j = 0; j < out.ny(); j++) {
        for (int i = 0; i < out.nx(); i++) {
          double[] q = Affine.apply(toInputIndex, Synthetic.world(out.affine(), i, j, k));
          int[] source = Synthetic.decode(out.get(i, j, k));
          for (int c = 0; c < 3; c++) {
            assertEquals(source[c], q[c], 1e-9, "voxel " + i + "," + j + "," + k + " moved in world");
          }
        }
      }
    }
    Volume back = new Orient(to).invert(out, VolumeGeometry.of(in));
    assertArrayEquals(in.dims(), back.dims());
    assertEquals(0, Affine.maxAbsDiff(in.affine(), back.affine()), 1e-12);
    assertArrayEquals(in.data(), back.data());
  }

  /** The input voxel axis whose code names world axis w. */
  private static int axisOfWorld(String codes, int w) {
    for (int c = 0; c < 3; c++) {
      if (Orientation.worldAxisOf(codes.charAt(c)) == w) {
        return c;
      }
    }
    throw new AssertionError(codes);
  }

  @Test
  void returnsInputWhenAlreadyOriented() {
    Volume in = Synthetic.indexCoded(3, 4, 5, Synthetic.affine("LPS", SPACING, ORIGIN));
    assertSame(in, new Orient("lps").apply(in));
    assertEquals("Orient(codes=LPS)", new Orient("lps").describe());
  }

  @Test
  void refusesToInvertAVolumeOnAnotherGrid() {
    Volume in = Synthetic.indexCoded(3, 4, 5, Synthetic.affine("LPS", SPACING, ORIGIN));
    Orient orient = new Orient("RAS");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> orient.invert(in, VolumeGeometry.of(in)));
    assertTrue(e.getMessage().startsWith("Orient(codes=RAS): cannot invert"), e.getMessage());
  }
}
