package dev.ctshift.volume.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DivisiblePadDepthTest {
  private static final float PAD = 0.25f;

  @ParameterizedTest(name = "{0} slices, multiple {1}, at least {2} -> {3}")
  @CsvSource({"5, 4, 1, 8", "8, 4, 1, 8", "1, 16, 1, 16", "7, 1, 1, 7", "9, 2, 1, 10", "7, 1, 8, 8",
      "5, 4, 9, 12", "20, 1, 8, 20"})
  void padsSlicesAtTheEndAndCropsThemBack(int nz, int multiple, int minDepth, int expected) {
    double[][] a = Synthetic.affine("PIR", new double[] {1, 2, 3}, new double[] {4, 5, 6});
    Volume in = Synthetic.indexCoded(3, 2, nz, a);
    DivisiblePadDepth step = new DivisiblePadDepth(multiple, minDepth, PAD);

    Volume out = step.apply(in);

    assertArrayEquals(new int[] {3, 2, expected}, out.dims());
    assertEquals(0, Affine.maxAbsDiff(a, out.affine()));
    for (int k = 0; k < expected; k++) {
      for (int j = 0; j < 2; j++) {
        for (int i = 0; i < 3; i++) {
          assertEquals(k < nz ? in.get(i, j, k) : PAD, out.get(i, j, k));
        }
      }
    }
    Volume back = step.invert(out, VolumeGeometry.of(in));
    assertArrayEquals(in.dims(), back.dims());
    assertEquals(0, Affine.maxAbsDiff(a, back.affine()));
    assertArrayEquals(in.data(), back.data());
  }
}
