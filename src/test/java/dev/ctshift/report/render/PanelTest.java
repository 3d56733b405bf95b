package dev.ctshift.report.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PanelTest {

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  private static BufferedImage filled(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  @Test
  void rowPlacesTilesLeftToRightWithCaptionStrips() {
    BufferedImage a = filled(30, 20, 0x112233);
    BufferedImage b = filled(40, 25, 0x445566);
    BufferedImage row = Panel.row(List.of(new Panel.Tile(a, "input p=0.93"), new Panel.Tile(b, "")));
    assertEquals(30 + Panel.GAP_PX + 40, row.getWidth());
    assertEquals(25 + Panel.CAPTION_PX, row.getHeight());
    assertEquals(0x112233, row.getRGB(0, 0) & 0xffffff);
    assertEquals(0x112233, row.getRGB(29, 19) & 0xffffff);
    assertEquals(0, row.getRGB(29, 22) & 0xffffff, "below the shorter tile is background");
    assertEquals(0, row.getRGB(31, 0) & 0xffffff, "gap is background");
    int bx = 30 + Panel.GAP_PX;
    assertEquals(0x445566, row.getRGB(bx, 0) & 0xffffff);
    assertEquals(0x445566, row.getRGB(bx + 39, 24) & 0xffffff);
    // Empty caption leaves its strip black.
    for (int y = 25; y < row.getHeight(); y++) {
      for (int x = bx; x < row.getWidth(); x++) {
        assertEquals(0, row.getRGB(x, y) & 0xffffff);
      }
    }
  }

  @Test
  void captionTextIsDrawnInsideItsStripWhenFontsExist() {
    boolean fonts;
    try {
      fonts = GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames().length > 0;
    } catch (RuntimeException | LinkageError e) {
      fonts = false;
    }
    Assumptions.assumeTrue(fonts, "no fonts installed: captions are skipped by design");
    BufferedImage tile = filled(120, 50, 0x000000);
    BufferedImage row = Panel.row(List.of(
        new Panel.Tile(tile, "difference \u00b1200 HU"), new Panel.Tile(tile, "")));
    int lit = 0;
    for (int y = 0; y < row.getHeight(); y++) {
      for (int x = 0; x < row.getWidth(); x++) {
        if ((row.getRGB(x, y) & 0xff) > 128) {
          assertTrue(y >= 50 && x < 120, "text outside its strip at " + x + "," + y);
          lit++;
        }
      }
    }
    assertTrue(lit > 50, "caption drew " + lit + " bright pixels");
  }

  @Test
  void columnStacksRows() {
    BufferedImage top = filled(10, 5, 0xff0000);
    BufferedImage bottom = filled(20, 6, 0x00ff00);
    BufferedImage col = Panel.column(List.of(top, bottom));
    assertEquals(20, col.getWidth());
    assertEquals(5 + Panel.GAP_PX + 6, col.getHeight());
    assertEquals(0xff0000, col.getRGB(9, 4) & 0xffffff);
    assertEquals(0, col.getRGB(15, 2) & 0xffffff);
    assertEquals(0x00ff00, col.getRGB(19, 5 + Panel.GAP_PX) & 0xffffff);
  }
}
