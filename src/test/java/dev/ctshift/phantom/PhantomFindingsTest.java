package dev.ctshift.phantom;

import static dev.ctshift.phantom.LabelStats.centroid;
import static dev.ctshift.phantom.LabelStats.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Affine;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Label masks against the requested findings; noise and blur off so HU values are exact. */
class PhantomFindingsTest {
  private static final long SEED = 2024;
  private static final PhantomGenerator GEN =
      new PhantomGenerator(PhantomConfig.defaults().withGrid(96, 32, 3.6, 5).withImageQuality(0, 0));

  private static Phantom make(EffusionSide side, double fraction, double heart, List<Double> nodules) {
    return GEN.generate("t", SEED, new Findings(side, fraction, heart, nodules));
  }

  @Test
  void noEffusionWhenAbsent() {
    Phantom p = make(EffusionSide.NONE, 0, 1, List.of());
    assertEquals(0, count(p.labels().data(), Phantom.EFFUSION));
    assertFalse(p.attributes().hasEffusion());
    assertEquals(0, p.attributes().effusionMl());
  }

  @Test
  void effusionIsDependentFluidOnTheRequestedSides() {
    float[] left = make(EffusionSide.LEFT, 0.3, 1, List.of()).labels().data();
    float[] right = make(EffusionSide.RIGHT, 0.3, 1, List.of()).labels().data();
    Phantom both = make(EffusionSide.BOTH, 0.3, 1, List.of());
    float[] lb = both.labels().data();
    int n = 96;
    // Each side's fluid is the same whether or not the other side has fluid.
    for (int v = 0; v < lb.length; v++) {
      boolean l = left[v] == Phantom.EFFUSION;
      boolean r = right[v] == Phantom.EFFUSION;
      assertFalse(l && r, "voxel " + v + " is fluid in both one-sided runs");
      assertEquals(l || r, lb[v] == Phantom.EFFUSION, "voxel " + v);
    }
    // i increases toward the patient's right.
    double pleuralMid = pleuralCentroidI(lb, n);
    assertTrue(centroid(left, Phantom.EFFUSION, n, n, 0) < pleuralMid);
    assertTrue(centroid(right, Phantom.EFFUSION, n, n, 0) > pleuralMid);
    // Requested fraction of the pleural space (aerated lung + fluid).
    double fraction = count(lb, Phantom.EFFUSION) / (double) (count(lb, Phantom.EFFUSION) + count(lb, Phantom.LUNG));
    assertEquals(0.3, fraction, 0.005);
    // Dependent: posterior (low j) of the aerated lung, and in every (i, k) column below all lung.
    assertTrue(centroid(lb, Phantom.EFFUSION, n, n, 1) < centroid(lb, Phantom.LUNG, n, n, 1) - 3);
    for (int k = 0; k < 32; k++) {
      for (int i = 0; i < n; i++) {
        boolean lungBelow = false;
        for (int j = 0; j < n; j++) {
          float l = lb[i + n * (j + n * k)];
          assertFalse(l == Phantom.EFFUSION && lungBelow, "fluid above aerated lung at i=" + i + " j=" + j + " k=" + k);
          lungBelow |= l == Phantom.LUNG;
        }
      }
    }
    // Fluid HU: no vessels or nodules are drawn into it.
    for (int v : LabelStats.indices(lb, Phantom.EFFUSION)) {
      assertTrue(both.ct().data()[v] >= 0 && both.ct().data()[v] <= 25, "effusion HU " + both.ct().data()[v]);
    }
    double voxelMl = 3.6 * 3.6 * 5 / 1000;
    assertEquals(count(lb, Phantom.EFFUSION) * voxelMl, both.attributes().effusionMl(), 1e-9);
  }

  @Test
  void effusionVolumeGrowsWithFraction() {
    int previous = 0;
    int pleural = -1;
    for (double f : new double[] {0.05, 0.15, 0.3, 0.6}) {
      float[] l = make(EffusionSide.BOTH, f, 1, List.of()).labels().data();
      int fluid = count(l, Phantom.EFFUSION);
      assertTrue(fluid > previous, "fraction " + f + ": " + fluid + " <= " + previous);
      previous = fluid;
      int space = fluid + count(l, Phantom.LUNG);
      assertTrue(pleural < 0 || pleural == space, "pleural space changed with the fraction");
      pleural = space;
    }
  }

  @Test
  void heartGrowsWithScale() {
    int previous = 0;
    double previousRatio = 0;
    for (double s : new double[] {0.9, 1.0, 1.2, 1.4}) {
      Phantom p = make(EffusionSide.NONE, 0, s, List.of());
      int heart = count(p.labels().data(), Phantom.HEART);
      assertTrue(heart > previous, "scale " + s + ": " + heart + " <= " + previous);
      assertTrue(p.attributes().cardiothoracicRatio() > previousRatio);
      assertEquals(s >= Findings.CARDIOMEGALY_SCALE, p.attributes().cardiomegaly());
      previous = heart;
      previousRatio = p.attributes().cardiothoracicRatio();
    }
    assertTrue(previousRatio > 0.5, "cardiomegaly should give a cardiothoracic ratio above 0.5, got " + previousRatio);
  }

  @Test
  void nodulesMatchRequestAndSitInsideTheLungs() {
    List<Double> diameters = List.of(6.0, 11.0, 16.0);
    Phantom p = make(EffusionSide.NONE, 0, 1, diameters);
    float[] l = p.labels().data();
    int n = 96;
    List<Nodule> placed = p.attributes().nodules();
    assertEquals(3, placed.size());
    List<Integer> sizes = LabelStats.componentSizes(l, Phantom.NODULE, n, n, 32);
    assertEquals(3, sizes.size(), "nodule components " + sizes);
    double voxelMm3 = 3.6 * 3.6 * 5;
    List<Double> sorted = new ArrayList<>(diameters);
    sorted.sort((a, b) -> Double.compare(b, a));
    for (int c = 0; c < 2; c++) { // the two larger ones are well sampled by 3.6 x 3.6 x 5 mm voxels
      double sphere = Math.PI / 6 * Math.pow(sorted.get(c), 3);
      double ratio = sizes.get(c) * voxelMm3 / sphere;
      assertTrue(ratio > 0.6 && ratio < 1.5, "nodule " + sorted.get(c) + " mm: volume ratio " + ratio);
    }
    double[][] toVoxel = Affine.invert(p.ct().affine());
    for (Nodule nod : placed) {
      double[] ijk = Affine.apply(toVoxel, new double[] {nod.x(), nod.y(), nod.z()});
      int v = p.ct().index((int) Math.round(ijk[0]), (int) Math.round(ijk[1]), (int) Math.round(ijk[2]));
      assertEquals(Phantom.NODULE, l[v]);
      float hu = p.ct().data()[v];
      assertTrue(hu >= 15 && hu <= 45, "nodule centre HU " + hu);
    }
    // Every nodule voxel is surrounded by lung or nodule.
    for (int v : LabelStats.indices(l, Phantom.NODULE)) {
      for (int step : new int[] {1, -1, n, -n, n * n, -n * n}) {
        assertTrue(l[v + step] == Phantom.LUNG || l[v + step] == Phantom.NODULE, "nodule touches label " + l[v + step]);
      }
    }
  }

  private static double pleuralCentroidI(float[] labels, int n) {
    double sum = 0;
    int c = 0;
    for (int v = 0; v < labels.length; v++) {
      if (labels[v] == Phantom.LUNG || labels[v] == Phantom.EFFUSION) {
        sum += v % n;
        c++;
      }
    }
    return sum / c;
  }
}
