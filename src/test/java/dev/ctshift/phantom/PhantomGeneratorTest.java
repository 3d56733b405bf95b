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
    PhantomConfig all = new PhantomConfig(64, 8, 5, 5, 0, 0, 1, 1, 1, 4);
    PhantomConfig none = new PhantomConfig(64, 8, 5, 5, 0, 0, 0, 0, 0, 4);
    PhantomConfig half = new PhantomConfig(64, 8, 5, 5, 0, 0, 0.5, 0.5, 0.5, 4);
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
