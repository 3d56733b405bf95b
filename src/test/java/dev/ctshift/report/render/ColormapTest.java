package dev.ctshift.report.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ColormapTest {

  private static int r(int rgb) {
    return (rgb >> 16) & 0xff;
  }

  private static int g(int rgb) {
    return (rgb >> 8) & 0xff;
  }

  private static int b(int rgb) {
    return rgb & 0xff;
  }

  /** Expected greys by hand: 255 * (hu - (L - W/2)) / W, chosen to be whole numbers. */
  @ParameterizedTest
  @CsvSource({
    "-300, 1500, -2000, 0", "-300, 1500, -1050, 0", "-300, 1500, -750, 51",
    "-300, 1500, -450, 102", "-300, 1500, -150, 153", "-300, 1500, 150, 204",
    "-300, 1500, 450, 255", "-300, 1500, 3000, 255",
    "40, 400, -80, 51", "40, 400, 0, 102", "40, 400, 80, 153", "40, 400, 160, 204",
    "40, 400, 240, 255"
  })
  void windowFollowsFormula(double level, double width, double hu, int grey) {
    Window w = new Window(level, width);
    assertEquals(grey, w.grey(hu));
    assertEquals(grey << 16 | grey << 8 | grey, w.rgb(hu));
  }

  @Test
  void presetsAreTheDocumentedWindows() {
    assertEquals(new Window(-300, 1500), Window.CHEST);
    assertEquals(new Window(40, 400), Window.SOFT_TISSUE);
    assertThrows(IllegalArgumentException.class, () -> new Window(0, 0));
  }

  @Test
  void renderedUniformSliceHasTheWindowGrey() {
    float[] data = new float[5 * 7 * 2];
    Arrays.fill(data, -750);
    Volume v = new Volume(5, 7, 2, data, Affine.ofSpacing(1, 1, 1));
    BufferedImage img = SliceView.of(v, 1).render(Window.CHEST, 256);
    for (int y = 0; y < img.getHeight(); y += 17) {
      for (int x = 0; x < img.getWidth(); x += 13) {
        assertEquals(51 << 16 | 51 << 8 | 51, img.getRGB(x, y) & 0xffffff);
      }
    }
  }

  @Test
  void divergingIsBlueForDecreaseRedForIncreaseWhiteAtZero() {
    Colormap m = Colormap.diverging(200);
    for (double v : new double[] {-200, -100, -20, -5000}) {
      int c = m.rgb(v);
      assertTrue(b(c) > r(c) && b(c) > g(c), v + " -> " + Integer.toHexString(c));
    }
    for (double v : new double[] {200, 100, 20, 5000}) {
      int c = m.rgb(v);
      assertTrue(r(c) > g(c) && r(c) > b(c), v + " -> " + Integer.toHexString(c));
    }
    assertEquals(0xffffff, m.rgb(0));
    assertEquals(0xffffff, m.rgb(Double.NaN));
    assertEquals(Colormap.DECREASED, m.rgb(-200));
    assertEquals(Colormap.INCREASED, m.rgb(200));
    assertEquals(m.rgb(-200), m.rgb(-5000));
    // Halfway: each channel halfway between white and the end colour.
    int half = m.rgb(100);
    assertEquals((255 + r(Colormap.INCREASED)) / 2.0, r(half), 0.5);
    assertEquals((255 + g(Colormap.INCREASED)) / 2.0, g(half), 0.5);
    // Stronger change is more saturated: white minus blue grows with |v|.
    assertTrue(r(m.rgb(-150)) < r(m.rgb(-50)));
  }

  @Test
  void heatRunsBlackRedYellow() {
    Colormap m = Colormap.heat(10);
    assertEquals(0x000000, m.rgb(0));
    assertEquals(0x000000, m.rgb(-3));
    assertEquals(0xff0000, m.rgb(5));
    assertEquals(0xffff00, m.rgb(10));
    assertEquals(0xffff00, m.rgb(99));
    assertEquals(0x800000, m.rgb(2.5));
    int prev = -1;
    for (double v = 0; v <= 10; v += 0.25) {
      int c = m.rgb(v);
      int brightness = r(c) + g(c) + b(c);
      assertTrue(brightness >= prev, "heat not monotonic at " + v);
      prev = brightness;
    }
    assertThrows(IllegalArgumentException.class, () -> Colormap.heat(0));
    assertThrows(IllegalArgumentException.class, () -> Colormap.diverging(Double.NaN));
  }
}
