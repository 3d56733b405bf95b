package dev.ctshift.report.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.report.render.SliceView.Interpolation;
import dev.ctshift.report.render.SliceView.Plane;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SliceViewTest {
  private static final int NX = 6;
  private static final int NY = 4;
  private static final int NZ = 3;
  private static final double[] SPACING = {0.8, 1.0, 2.5};

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** Unique value per RAS grid position: a + 10 b + 100 c. */
  private static float[][][] labelled() {
    float[][][] ras = new float[NX][NY][NZ];
    for (int a = 0; a < NX; a++) {
      for (int b = 0; b < NY; b++) {
        for (int c = 0; c < NZ; c++) {
          ras[a][b][c] = a + 10 * b + 100 * c;
        }
      }
    }
    return ras;
  }

  @ParameterizedTest
  @ValueSource(strings = {"RAS", "LPS", "LAS", "ARS", "PLI"})
  void axialSliceIsRadiologicalForAnyStorageOrder(String codes) {
    Volume v = Anatomy.store(labelled(), codes, SPACING);
    assertEquals(codes, v.orientation());
    for (int c = 0; c < NZ; c++) {
      SliceView s = SliceView.of(v, Anatomy.storageSlice(codes, c, NZ));
      assertEquals(Plane.AXIAL, s.plane());
      assertEquals(NX, s.width());
      assertEquals(NY, s.height());
      assertEquals(SPACING[0], s.pixelWidthMm(), 1e-12);
      assertEquals(SPACING[1], s.pixelHeightMm(), 1e-12);
      for (int y = 0; y < NY; y++) {
        for (int x = 0; x < NX; x++) {
          // Left column = most right (a = NX-1); top row = most anterior (b = NY-1).
          float expected = (NX - 1 - x) + 10 * (NY - 1 - y) + 100 * c;
          assertEquals(expected, s.value(x, y), codes + " pixel " + x + "," + y);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ASR", "PIL"})
  void sagittalAcquisitionShowsSuperiorTopAnteriorLeft(String codes) {
    Volume v = Anatomy.store(labelled(), codes, SPACING);
    int a = 2;
    SliceView s = SliceView.of(v, Anatomy.storageSlice(codes, a, NX));
    assertEquals(Plane.SAGITTAL, s.plane());
    assertEquals(NY, s.width());
    assertEquals(NZ, s.height());
    for (int y = 0; y < NZ; y++) {
      for (int x = 0; x < NY; x++) {
        assertEquals(a + 10 * (NY - 1 - x) + 100 * (NZ - 1 - y), s.value(x, y));
      }
    }
  }

  @Test
  void coronalAcquisitionShowsSuperiorTopRightLeft() {
    String codes = "LIP";
    Volume v = Anatomy.store(labelled(), codes, SPACING);
    int b = 1;
    SliceView s = SliceView.of(v, Anatomy.storageSlice(codes, b, NY));
    assertEquals(Plane.CORONAL, s.plane());
    for (int y = 0; y < NZ; y++) {
      for (int x = 0; x < NX; x++) {
        assertEquals((NX - 1 - x) + 10 * b + 100 * (NZ - 1 - y), s.value(x, y));
      }
    }
  }

  @Test
  void rightAnteriorMarkerRendersTopLeftAndAllStoragesGiveTheSameImage() {
    float[][][] ras = new float[NX][NY][NZ];
    for (int c = 0; c < NZ; c++) {
      ras[NX - 1][NY - 1][c] = 1000;
    }
    int[] reference = null;
    for (String codes : new String[] {"RAS", "LPS", "LAS", "ARS"}) {
      Volume v = Anatomy.store(ras, codes, SPACING);
      BufferedImage img = SliceView.of(v, 1).render(Window.CHEST, 256);
      assertEquals(256, img.getHeight());
      // Physical aspect: 6 x 0.8 mm wide, 4 x 1.0 mm high.
      assertEquals(Math.round(256 * NX * SPACING[0] / (NY * SPACING[1])), img.getWidth());
      int w = img.getWidth();
      int h = img.getHeight();
      assertEquals(255, img.getRGB(0, 0) & 0xff, codes);
      int background = Window.CHEST.grey(0);
      assertEquals(background, img.getRGB(w - 1, 0) & 0xff, codes);
      assertEquals(background, img.getRGB(0, h - 1) & 0xff, codes);
      assertEquals(background, img.getRGB(w - 1, h - 1) & 0xff, codes);
      // Bright pixels lie within the first voxel cell (plus the bilinear ramp into the next one).
      double cellW = (double) w / NX;
      double cellH = (double) h / NY;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if ((img.getRGB(x, y) & 0xff) > 250) {
            assertTrue(x < 1.5 * cellW && y < 1.5 * cellH, codes + " bright at " + x + "," + y);
          }
        }
      }
      int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
      if (reference == null) {
        reference = rgb;
      } else {
        assertArrayEquals(reference, rgb, codes + " renders differently from RAS");
      }
    }
  }

  @Test
  void nonSquarePixelsRenderAtPhysicalAspect() {
    // i: 64 x 0.5 mm = 32 mm, j: 16 x 1.0 mm = 16 mm; a 10 mm x 10 mm square inside.
    int nx = 64;
    int ny = 16;
    float[] data = new float[nx * ny];
    for (int j = 4; j < 14; j++) {
      for (int i = 20; i < 40; i++) {
        data[i + nx * j] = 1000;
      }
    }
    Volume v = new Volume(nx, ny, 1, data, Affine.ofSpacing(0.5, 1.0, 3.0));
    SliceView s = SliceView.of(v, 0).resample(256, Interpolation.NEAREST);
    assertEquals(512, s.width());
    assertEquals(256, s.height());
    assertEquals(s.pixelWidthMm(), s.pixelHeightMm(), 1e-12);
    BufferedImage img = s.toImage(Window.CHEST);
    int minX = Integer.MAX_VALUE;
    int maxX = -1;
    int minY = Integer.MAX_VALUE;
    int maxY = -1;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if ((img.getRGB(x, y) & 0xff) == 255) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    // 16 px per mm: the 10 mm square is 160 x 160 px.
    assertEquals(160, maxX - minX + 1);
    assertEquals(160, maxY - minY + 1);
  }

  @Test
  void bilinearResampleMatchesHandInterpolation() {
    // 2 x 1 slice, values 0 and 100, upsampled 4x: centres map to source x = (x + 0.5) / 4 - 0.5.
    SliceView s = new SliceView(new float[] {0, 100}, 2, 1, 1, 1, Plane.AXIAL);
    SliceView r = s.resample(4, Interpolation.BILINEAR);
    assertEquals(8, r.width());
    float[] expected = {0, 0, 12.5f, 37.5f, 62.5f, 87.5f, 100, 100};
    for (int x = 0; x < 8; x++) {
      assertEquals(expected[x], r.value(x, 0), 1e-4, "x=" + x);
    }
  }

  @Test
  void minusIsPixelwiseDifference() {
    SliceView a = new SliceView(new float[] {1, 2, 3, 4}, 2, 2, 1, 1, Plane.AXIAL);
    SliceView b = new SliceView(new float[] {10, 0, 3, -4}, 2, 2, 1, 1, Plane.AXIAL);
    assertArrayEquals(new float[] {9, -2, 0, -8}, b.minus(a).values());
  }
}
