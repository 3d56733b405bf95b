package dev.ctshift.phantom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Marker beads (the shortcut-audit feature) and the nodule size range. */
class PhantomMarkerTest {
  private static final PhantomConfig GRID = PhantomConfig.defaults().withGrid(96, 24, 3.8, 4);
  private static final Findings EFFUSION = new Findings(EffusionSide.RIGHT, 0.3, 1.0, List.of());

  @Test
  void markerOnlyAddsADenseBeadInTheAirInFrontOfTheChest() {
    PhantomGenerator gen = new PhantomGenerator(GRID);
    Phantom without = gen.generate("m", 11, EFFUSION, false);
    Phantom with = gen.generate("m", 11, EFFUSION, true);
    float[] l0 = without.labels().data();
    float[] l1 = with.labels().data();
    float[] hu = with.ct().data();
    int n = 96;
    int bead = 0;
    double meanJ = 0;
    int lowestBodyJ = Integer.MAX_VALUE;
    int highestBodyJ = -1;
    for (int v = 0; v < l1.length; v++) {
      if (l1[v] == Phantom.MARKER) {
        assertEquals(Phantom.BACKGROUND, l0[v], "the bead takes only background voxels");
        bead++;
        meanJ += (v / n) % n;
      } else {
        assertEquals(l0[v], l1[v], "labels away from the bead are unchanged");
      }
      if (l0[v] == Phantom.LUNG || l0[v] == Phantom.HEART) {
        highestBodyJ = Math.max(highestBodyJ, (v / n) % n);
        lowestBodyJ = Math.min(lowestBodyJ, (v / n) % n);
      }
    }
    // A 10-14 mm sphere on a 3.8 x 3.8 x 4 mm grid: about 9..27 voxels inside it.
    assertTrue(bead >= 5 && bead <= 60, "bead voxels " + bead);
    // j grows toward anterior (RAS): the bead lies in front of the lungs and heart.
    assertTrue(meanJ / bead > highestBodyJ, "bead row " + meanJ / bead + ", chest up to row " + highestBodyJ);
    float peak = -2000;
    for (int v = 0; v < l1.length; v++) {
      if (l1[v] == Phantom.MARKER) {
        peak = Math.max(peak, hu[v]);
      }
    }
    assertTrue(peak > 1000, "bead peak " + peak + " HU");
    assertTrue(with.attributes().marker());
    assertFalse(without.attributes().marker());
  }

  @Test
  void markerRatesFollowTheEffusionStatus() {
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.builder().grid(64, 8, 6, 6).imageQuality(5, 0)
        .rates(0.5, 0, 0).nodules(1, 4, 18).markers(1, 0).build());
    int effusions = 0;
    for (long s = 0; s < 20; s++) {
      PhantomAttributes a = gen.generate("r", s).attributes();
      assertEquals(a.hasEffusion(), a.marker(), "seed " + s);
      effusions += a.hasEffusion() ? 1 : 0;
    }
    assertTrue(effusions > 0 && effusions < 20, "both kinds of subject drawn: " + effusions);
  }

  @Test
  void withoutMarkersSubjectsAreTheSameAsWithMarkersOffByRate() {
    PhantomGenerator plain = new PhantomGenerator(GRID);
    PhantomGenerator never = new PhantomGenerator(GRID.withMarkers(0, 0));
    PhantomGenerator always = new PhantomGenerator(GRID.withMarkers(1, 1));
    Phantom a = plain.generate("m", 5);
    Phantom b = never.generate("m", 5);
    Phantom c = always.generate("m", 5);
    assertArrayEquals(a.ct().data(), b.ct().data());
    assertEquals(a.attributes().effusionSide(), c.attributes().effusionSide(), "findings do not depend on markers");
    assertTrue(c.attributes().marker());
  }

  @Test
  void noduleDiametersStayInTheConfiguredRange() {
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.builder().grid(64, 8, 6, 6).imageQuality(5, 0)
        .rates(0, 0, 1).nodules(3, 10, 24).markers(0, 0).build());
    for (long s = 0; s < 50; s++) {
      for (double d : gen.sampleFindings(s).noduleDiametersMm()) {
        assertTrue(d >= 10 && d <= 24, "diameter " + d);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> PhantomConfig.builder().grid(64, 8, 6, 6).imageQuality(5, 0)
        .rates(0, 0, 1).nodules(3, 20, 10).markers(0, 0).build());
    assertThrows(IllegalArgumentException.class, () -> PhantomConfig.builder().grid(64, 8, 6, 6).imageQuality(5, 0)
        .rates(0, 0, 1).nodules(3, 4, 18).markers(1.5, 0).build());
  }
}
