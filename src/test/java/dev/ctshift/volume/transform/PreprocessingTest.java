package dev.ctshift.volume.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.model.ModelManifest;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PreprocessingTest {

  /**
   * A synthetic scan, the manifest input it is prepared for, and what to expect.
   *
   * @param huTol HU tolerance away from borders: linear interpolation errs by at most
   *     h^2/8 |f''| per axis and pass (about 5 HU for the 400 HU field below at h <= 3 mm)
   */
  record Case(String name, String codes, double rotDeg, int[] dims, double[] spacing,
      ModelManifest.Input input, int[] modelDims, int stepCount, double huTol) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("LPS 0.7 mm in-plane to RAS 1.5 mm, padded", "LPS", 0,
            new int[] {64, 56, 20}, new double[] {0.7, 0.7, 2.5},
            input("RAS", new double[] {1.5, 1.5, 3}, new int[] {48, 40}, -1000, 1000, 0, 1, 8),
            new int[] {40, 48, 24}, 5, 6),
        new Case("RAS 3 mm to RAS 1.5 mm, cropped in i", "RAS", 0,
            new int[] {24, 20, 16}, new double[] {3, 3, 3},
            input("RAS", new double[] {1.5, 1.5, 3}, new int[] {48, 40}, -1000, 1000, -1, 1, 1),
            new int[] {40, 48, 16}, 4, 6),
        new Case("oblique PIR to LPS, spacing kept", "PIR", 5,
            new int[] {20, 16, 12}, new double[] {1.2, 0.8, 2},
            input("LPS", null, null, -160, 240, -1, 1, 4),
            new int[] {12, 20, 16}, 3, 0.01));
  }

  private static ModelManifest.Input input(String codes, double[] spacing, int[] size,
      double wLow, double wHigh, double rLow, double rHigh, int depthMultiple) {
    return new ModelManifest.Input(codes, spacing, size, new double[] {wLow, wHigh},
        new double[] {rLow, rHigh}, ModelManifest.Layout.NCDHW, depthMultiple, 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void mapsScanToModelSpaceAndBack(Case c) {
    double[] window = c.input().huWindow();
    double[] range = c.input().range();
    double width = window[1] - window[0];
    double centre = window[0] + 0.35 * width;
    double amplitude = 0.2 * width;
    double[][] a = Synthetic.rotated(
        Synthetic.affine(c.codes(), c.spacing(), new double[] {30, -40, 10}), 0, c.rotDeg());
    Volume scan = Synthetic.ofWorld(c.dims()[0], c.dims()[1], c.dims()[2], a, p ->
        centre + amplitude * Math.cos(p[0] / 15) * Math.cos(p[1] / 20) * Math.cos(p[2] / 25));
    Preprocessing pre = c.input().preprocessing();

    Preprocessing.Prepared prepared = pre.prepare(scan);
    Volume model = prepared.volume();

    assertArrayEquals(c.modelDims(), model.dims());
    assertEquals(c.input().orientation(), model.orientation());
    if (c.input().spacingMm() != null) {
      assertArrayEquals(c.input().spacingMm(), model.spacing(), 1e-9);
    }
    float[] r = model.range();
    assertTrue(r[0] >= range[0] - 1e-6 && r[1] <= range[1] + 1e-6, "values outside the range");
    assertEquals(width / (range[1] - range[0]), prepared.huPerUnit(), 1e-9);
    assertEquals(c.stepCount(), prepared.steps().size());
    assertEquals("Orient(codes=" + c.input().orientation() + ")", prepared.steps().get(0));

    Volume hu = prepared.toScanHu(model);
    Volume grid = prepared.toScanGrid(model);
    for (Volume back : List.of(hu, grid)) {
      assertArrayEquals(scan.dims(), back.dims());
      assertEquals(0, Affine.maxAbsDiff(scan.affine(), back.affine()), "affine must be exactly the scan's");
    }
    checkValues(c, scan, model, hu, grid);
  }

  /**
   * Interior scan voxels (two model voxels from the model's in-plane edges and 1.5 model voxels
   * from the scan's own borders) must come back; voxels more than a model voxel outside the model's
   * in-plane field of view must be air in HU and 0 on the grid.
   */
  private static void checkValues(Case c, Volume scan, Volume model, Volume hu, Volume grid) {
    double[] window = c.input().huWindow();
    double[] range = c.input().range();
    double unitsPerHu = (range[1] - range[0]) / (window[1] - window[0]);
    double maxModelSpacing = Math.max(model.spacing()[0], Math.max(model.spacing()[1], model.spacing()[2]));
    int[] margin = new int[3];
    for (int ax = 0; ax < 3; ax++) {
      margin[ax] = (int) Math.ceil(1.5 * maxModelSpacing / scan.spacing()[ax]);
    }
    double[][] toModelIndex = Affine.invert(model.affine());
    int interior = 0;
    int air = 0;
    for (int k = 0; k < scan.nz(); k++) {
      for (int j = 0; j < scan.ny(); j++) {
        for (int i = 0; i < scan.nx(); i++) {
          double[] q = Affine.apply(toModelIndex, Synthetic.world(scan.affine(), i, j, k));
          String at = "scan voxel " + i + "," + j + "," + k;
          if (q[0] < -1 || q[0] > model.nx() || q[1] < -1 || q[1] > model.ny()) {
            air++;
            assertEquals(window[0], hu.get(i, j, k), 1e-3, at);
            assertEquals(0, grid.get(i, j, k), at);
            continue;
          }
          int[] idx = {i, j, k};
          boolean inside = q[0] >= 2 && q[0] <= model.nx() - 3 && q[1] >= 2 && q[1] <= model.ny() - 3;
          for (int ax = 0; ax < 3; ax++) {
            inside &= idx[ax] >= margin[ax] && idx[ax] < scan.dims()[ax] - margin[ax];
          }
          if (inside) {
            interior++;
            float x = scan.get(i, j, k);
            assertEquals(x, hu.get(i, j, k), c.huTol(), at);
            double expected = (x - window[0]) * unitsPerHu + range[0];
            assertEquals(expected, grid.get(i, j, k), c.huTol() * Math.abs(unitsPerHu), at);
          }
        }
      }
    }
    assertTrue(interior > scan.voxelCount() / 5, "too few interior voxels checked: " + interior);
    boolean crops = c.input().size() != null
        && (c.input().size()[1] < Math.round(scan.nx() * scan.spacing()[0] / model.spacing()[0]));
    assertEquals(crops, air > 0, "air voxels: " + air);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusesVolumesNotOnThePreparedGrid(Case c) {
    double[][] a = Synthetic.affine(c.codes(), c.spacing(), new double[] {0, 0, 0});
    Volume scan = Synthetic.indexCoded(c.dims()[0], c.dims()[1], c.dims()[2], a);
    Preprocessing.Prepared prepared = c.input().preprocessing().prepare(scan);
    assertThrows(IllegalArgumentException.class, () -> prepared.toScanGrid(scan));
    assertThrows(IllegalArgumentException.class, () -> prepared.toScanHu(scan));
  }
}
