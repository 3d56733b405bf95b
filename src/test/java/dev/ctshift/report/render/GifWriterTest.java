package dev.ctshift.report.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

class GifWriterTest {
  private static final String FORMAT = "javax_imageio_gif_image_1.0";
  private static final int W = 40;
  private static final int H = 30;

  @TempDir Path dir;

  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** A frame whose pixel (x, y) is {@code map} at a value ramping over [lo, hi] along x and y. */
  private static BufferedImage ramp(Colormap map, double lo, double hi) {
    float[] v = new float[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        v[x + W * y] = (float) (lo + (hi - lo) * (x + W * y) / (W * H - 1.0));
      }
    }
    return new SliceView(v, W, H, 1, 1, SliceView.Plane.AXIAL).toImage(map);
  }

  private static List<BufferedImage> frames() {
    return List.of(
        ramp(Window.CHEST, -1050, 450), ramp(Colormap.diverging(200), -200, 200),
        ramp(Colormap.heat(5), 0, 5));
  }

  private static Node child(Node parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeName().equals(name)) {
        return n;
      }
    }
    return null;
  }

  private static String attr(Node node, String name) {
    return node.getAttributes().getNamedItem(name).getNodeValue();
  }

  @Test
  void loopingGifReadsBackWithFramesDelaysAndNetscapeLoopCountZero() throws Exception {
    Path gif = dir.resolve("sub/anim.gif");
    List<BufferedImage> frames = frames();
    GifWriter.write(gif, frames, 120, true);

    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      reader.setInput(in);
      assertEquals(3, reader.getNumImages(true));
      for (int n = 0; n < 3; n++) {
        BufferedImage back = reader.read(n);
        assertEquals(W, back.getWidth());
        assertEquals(H, back.getHeight());
        Node root = reader.getImageMetadata(n).getAsTree(FORMAT);
        assertEquals("12", attr(child(root, "GraphicControlExtension"), "delayTime"));
        Node apps = child(root, "ApplicationExtensions");
        if (n == 0) {
          assertNotNull(apps, "first frame carries the loop extension");
          IIOMetadataNode app = (IIOMetadataNode) child(apps, "ApplicationExtension");
          assertEquals("NETSCAPE", attr(app, "applicationID"));
          assertEquals("2.0", attr(app, "authenticationCode"));
          byte[] data = (byte[]) app.getUserObject();
          assertEquals(1, data[0]);
          assertEquals(0, (data[1] & 0xff) | (data[2] & 0xff) << 8, "loop count");
        }
        assertPaletteFidelity(frames.get(n), back, n == 0 ? 1 : 8);
      }
      reader.dispose();
    }
    try (Stream<Path> files = Files.list(gif.getParent())) {
      assertEquals(List.of(gif), files.toList(), "no temporary file left behind");
    }
  }

  /** Every pixel within {@code tol} per channel of the original (greys: palette step 2). */
  private static void assertPaletteFidelity(BufferedImage want, BufferedImage got, int tol) {
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int a = want.getRGB(x, y);
        int b = got.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          int d = Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
          assertTrue(d <= tol, "pixel " + x + "," + y + " " + Integer.toHexString(a) + " -> "
              + Integer.toHexString(b));
        }
      }
    }
  }

  @Test
  void playOnceGifHasNoLoopExtension() throws Exception {
    Path gif = dir.resolve("once.gif");
    GifWriter.write(gif, frames().subList(0, 2), 50, false);
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      reader.setInput(in);
      assertEquals(2, reader.getNumImages(true));
      Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
      assertNull(child(root, "ApplicationExtensions"));
      assertEquals("5", attr(child(root, "GraphicControlExtension"), "delayTime"));
      reader.dispose();
    }
  }

  @Test
  void badFramesFailBeforeAnyFileIsWritten() {
    Path gif = dir.resolve("bad.gif");
    BufferedImage small = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
    BufferedImage big = new BufferedImage(11, 10, BufferedImage.TYPE_INT_RGB);
    assertThrows(IllegalArgumentException.class, () -> GifWriter.write(gif, List.of(), 100, true));
    assertThrows(IllegalArgumentException.class,
        () -> GifWriter.write(gif, List.of(small, big), 100, true));
    assertThrows(IllegalArgumentException.class,
        () -> GifWriter.write(gif, List.of(small), 0, true));
    assertFalse(Files.exists(gif));
  }

  @Test
  void pngRoundTripsExactly() throws Exception {
    Path png = dir.resolve("panel.png");
    BufferedImage img = frames().get(1);
    Files.writeString(png, "old");
    PngWriter.write(png, img);
    BufferedImage back = ImageIO.read(png.toFile());
    assertArrayEquals(img.getRGB(0, 0, W, H, null, 0, W), back.getRGB(0, 0, W, H, null, 0, W));
  }
}
