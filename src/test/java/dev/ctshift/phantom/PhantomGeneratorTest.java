package dev.ctshift.phantom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Volume;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhantomGeneratorTest {
  private static final PhantomConfig SMALL = PhantomConfig.defaults().withGrid(80, 24, 4.4, 5);

  @Test
  void sameSeedGivesIdenticalArraysAndAttributes() {
    Phantom a = new PhantomGenerator(SMALL).generate("s", 42);
    Phantom b = new PhantomGenerator(SMALL).generate("s", 42);
    assertArrayEquals(a.ct().data(), b.ct().data());
    assertArrayEquals(a.labels().data(), b.labels().data());
    assertEquals(a.attributes(), b.attributes());
  }

  @Test
  void differentSeedsDiffer() {
    PhantomGenerator gen = new PhantomGenerator(SMALL);
    Phantom a = gen.generate("s", 1);
    Phantom b = gen.generate("s", 2);
    assertFalse(Arrays.equals(a.ct().data(), b.ct().data()));
    assertFalse(Arrays.equals(a.labels().data(), b.labels().data()));
  }

  @Test
  void drawnFindingsAreTheOnesGenerated() {
    PhantomGenerator gen = new PhantomGenerator(SMALL);
    Findings f = gen.sampleFindings(7);
    Phantom drawn = gen.generate("s", 7);
    Phantom given = gen.generate("s", 7, f);
    assertArrayEquals(drawn.ct().data(), given.ct().data());
    assertEquals(f.effusionSide(), drawn.attributes().effusionSide());
    assertEquals(f.heartScale(), drawn.attributes().heartScale());
  }

  @Test
  void findingRatesAreHonoured() {
    PhantomConfig all = PhantomConfig.builder().grid(64, 8, 5, 5).imageQuality(0, 0)
        .rates(1, 1, 1).nodules(4, 4, 18).build();
    PhantomConfig none = PhantomConfig.builder().grid(64, 8, 5, 5).imageQuality(0, 0)
        .rates(0, 0, 0).nodules(4, 4, 18).build();
    PhantomConfig half = PhantomConfig.builder().grid(64, 8, 5, 5).imageQuality(0, 0)
        .rates(0.5, 0.5, 0.5).nodules(4, 4, 18).build();
    int effusions = 0;
    for (long s = 0; s < 400; s++) {
      Findings a = new PhantomGenerator(all).sampleFindings(s);
      Findings n = new PhantomGenerator(none).sampleFindings(s);
      assertTrue(a.effusionSide() != EffusionSide.NONE && a.cardiomegaly() && !a.noduleDiametersMm().isEmpty());
      assertTrue(a.noduleDiametersMm().size() <= 4);
      assertTrue(n.effusionSide() == EffusionSide.NONE && !n.cardiomegaly() && n.noduleDiametersMm().isEmpty());
      effusions += new PhantomGenerator(half).sampleFindings(s).effusionSide() != EffusionSide.NONE ? 1 : 0;
    }
    // Binomial(400, 0.5): mean 200, sd 10.
    assertTrue(effusions > 160 && effusions < 240, "effusions " + effusions);
  }

  @Test
  void effusionTwinDiffersOnlyWhereTheFluidWas() {
    // Effusion on both sides, a nodule and a marker in every subject; blur and noise fixed so that the
    // edge the blur spreads is known: 1 mm sigma on 4.4 mm pixels stays within 1 voxel in plane.
    PhantomConfig config = PhantomConfig.builder().grid(80, 24, 4.4, 5).imageQuality(20, 1)
        .rates(1, 0.4, 1).nodules(1, 10, 12).markers(1, 1).build();
    PhantomGenerator gen = new PhantomGenerator(config);
    Phantom wet = gen.generate("s", 11);
    Phantom dry = gen.generateWithoutEffusion("s-twin", 11);
    assertTrue(wet.attributes().hasEffusion());
    assertFalse(dry.attributes().hasEffusion());
    assertEquals(0, dry.attributes().effusionMl());
    assertEquals(wet.attributes().cardiomegaly(), dry.attributes().cardiomegaly());
    assertEquals(wet.attributes().marker(), dry.attributes().marker());
    float[] w = wet.ct().data();
    float[] d = dry.ct().data();
    float[] wl = wet.labels().data();
    float[] dl = dry.labels().data();
    int n = 80;
    int fluid = 0;
    for (int v = 0; v < w.length; v++) {
      if (wl[v] == Phantom.EFFUSION) {
        fluid++;
        assertEquals(Phantom.LUNG, dl[v], "the twin has lung where the fluid was");
        continue;
      }
      int i = v % n;
      int j = (v / n) % n;
      int k = v / (n * n);
      boolean nearFluid = false;
      for (int dj = -2; dj <= 2 && !nearFluid; dj++) {
        for (int di = -2; di <= 2 && !nearFluid; di++) {
          int ii = i + di;
          int jj = j + dj;
          nearFluid = ii >= 0 && ii < n && jj >= 0 && jj < n && wl[ii + n * (jj + n * k)] == Phantom.EFFUSION;
        }
      }
      if (!nearFluid && dl[v] != Phantom.NODULE && wl[v] != Phantom.NODULE) {
        // Within half a HU: what an int16 scan stores of the two is the same (vessels drawn where the
        // fluid was reach their neighbours only through the blur's faint tail).
        assertEquals(w[v], d[v], 0.5f, "voxel " + v + " away from the fluid");
        assertEquals(wl[v], dl[v], 0f, "label " + v + " away from the fluid");
      }
    }
    assertTrue(fluid > 100, "the subject has fluid: " + fluid);
  }

  @Test
  void geometryIsRasWithRequestedGrid() {
    Phantom p = new PhantomGenerator(SMALL).generate("s", 3);
    Volume ct = p.ct();
    assertEquals("RAS", ct.orientation());
    assertArrayEquals(new int[] {80, 80, 24}, ct.dims());
    assertArrayEquals(new double[] {4.4, 4.4, 5}, ct.spacing(), 1e-12);
    assertTrue(p.labels().sameGeometry(ct, 0));
    // Isocentre at the middle of the grid in-plane.
    assertEquals(0, ct.origin()[0] + 79 * 4.4 / 2, 1e-9);
  }

  @Test
  void drawnAcquisitionStaysInItsRanges() {
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.defaults().withGrid(64, 8, Double.NaN, Double.NaN));
    for (long s = 0; s < 10; s++) {
      PhantomAttributes a = gen.generate("s", s).attributes();
      assertTrue(a.fovMm() >= 320 && a.fovMm() <= 420, "fov " + a.fovMm());
      assertEquals(a.fovMm() / 64, a.pixelSpacingMm(), 1e-9);
      assertTrue(List.of(1.5, 2.0, 2.5, 3.0, 5.0).contains(a.sliceThicknessMm()));
      assertTrue(a.noiseHu() >= 4 && a.noiseHu() <= 25);
      assertTrue(a.bodyWidthMm() < a.fovMm(), "body " + a.bodyWidthMm() + " fov " + a.fovMm());
    }
  }

  @Test
  void invalidRequestsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new Findings(EffusionSide.LEFT, 0, 1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Findings(EffusionSide.NONE, 0, 3, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Findings(EffusionSide.NONE, 0, 1, List.of(1.0)));
    assertThrows(IllegalArgumentException.class, () -> SMALL.withGrid(8, 10, 1, 1));
  }

  @Test
  void builderGroupsSetTheirFieldsAndToBuilderKeepsEveryField() {
    PhantomConfig c = PhantomConfig.builder().grid(40, 12, 2.5, 3).imageQuality(7, 0.8).rates(0.1, 0.2, 0.3)
        .nodules(5, 6, 20).markers(0.4, 0.6).build();
    assertEquals(new PhantomConfig(40, 12, 2.5, 3, 7, 0.8, 0.1, 0.2, 0.3, 5, 6, 20, 0.4, 0.6), c);
    assertEquals(c, c.toBuilder().build());
    assertEquals(new PhantomConfig(128, 48, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.5, 0.3, 0.3, 3, 4, 18,
        0, 0), PhantomConfig.defaults());
  }

  @Test
  void csvRowHasOneValuePerHeaderColumn() {
    Phantom p = new PhantomGenerator(SMALL)
        .generate("s", 5, new Findings(EffusionSide.BOTH, 0.2, 1.3, List.of(8.0, 12.0)));
    String[] header = PhantomAttributes.csvHeader().split(",", -1);
    String[] row = p.attributes().csvRow().split(",", -1);
    assertEquals(header.length, row.length);
    assertEquals("both", row[Arrays.asList(header).indexOf("effusion_side")]);
    assertEquals("1", row[Arrays.asList(header).indexOf("cardiomegaly")]);
    assertEquals(2, row[Arrays.asList(header).indexOf("nodule_diameters_mm")].split(";").length);
  }
}
