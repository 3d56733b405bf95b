package dev.ctshift.report.render;

import dev.ctshift.AtomicFiles;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes animated GIFs with the JDK's GIF writer, atomically (temporary sibling file, then rename).
 *
 * <p><b>Colours.</b> Every frame is mapped to one fixed 256-colour palette: 128 greys, 64 samples of
 * {@link Colormap#diverging} and 64 of {@link Colormap#heat}. Images made by this package's colormaps
 * and {@link Panel} therefore come out within a few levels of the original (greys within 1), and all
 * frames share the same colours (one global colour table), so nothing flickers. Other colours take
 * the nearest palette entry. (Left to itself the JDK writer builds a palette per RGB frame: fine for
 * one frame, but colours can shift between frames.)
 */
public final class GifWriter {
  private static final String FORMAT = "javax_imageio_gif_image_1.0";
  private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
  private static final IndexColorModel PALETTE = palette();

  private GifWriter() {}

  /**
   * Writes {@code frames} as one animated GIF.
   *
   * @param file target, replaced only once the new file is complete; parent directories are created
   * @param frames at least one image, all the same size; only read
   * @param delayMs time each frame is shown, stored in the GIF's 1/100 s units (rounded); browsers
   *     show delays under 20 ms as 100 ms
   * @param loop true to loop forever (NETSCAPE2.0 extension with loop count 0), false to play once
   * @throws IllegalArgumentException if there are no frames, sizes differ or the delay is outside
   *     [10, 655350] ms
   * @throws IOException if the file cannot be written (message names the file)
   */
  public static void write(Path file, List<BufferedImage> frames, int delayMs, boolean loop)
      throws IOException {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("a GIF needs at least one frame");
    }
    if (delayMs < 10 || delayMs > 655_350) {
      throw new IllegalArgumentException("GIF frame delay must be 10..655350 ms, got " + delayMs);
    }
    int w = frames.get(0).getWidth();
    int h = frames.get(0).getHeight();
    for (int n = 1; n < frames.size(); n++) {
      if (frames.get(n).getWidth() != w || frames.get(n).getHeight() != h) {
        throw new IllegalArgumentException("GIF frame " + n + " is " + frames.get(n).getWidth() + "x"
            + frames.get(n).getHeight() + ", frame 0 is " + w + "x" + h);
      }
    }
    int centiseconds = Math.round(delayMs / 10f);
    try {
      AtomicFiles.write(file, out -> {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
          writer.setOutput(ios);
          writer.prepareWriteSequence(streamMetadata(writer));
          NearestColours nearest = new NearestColours();
          // A looping animation shows its images twice: each is mapped to the palette once.
          Map<BufferedImage, BufferedImage> onPalette = new IdentityHashMap<>();
          for (int n = 0; n < frames.size(); n++) {
            BufferedImage indexed = onPalette.computeIfAbsent(frames.get(n), img -> toPalette(img, nearest));
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = frameMetadata(writer, indexed, param, centiseconds, loop && n == 0);
            writer.writeToSequence(new IIOImage(indexed, null, meta), param);
          }
          writer.endWriteSequence();
        } finally {
          writer.dispose();
        }
      });
    } catch (IOException e) {
      throw new IOException("cannot write GIF " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stream metadata whose global colour table is the fixed palette. Without it the JDK writer stores
   * a default table the frames' indices do not refer to.
   */
  private static IIOMetadata streamMetadata(ImageWriter writer) throws IOException {
    IIOMetadata meta = writer.getDefaultStreamMetadata(writer.getDefaultWriteParam());
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(STREAM_FORMAT);
    IIOMetadataNode table = child(root, "GlobalColorTable");
    while (table.hasChildNodes()) {
      table.removeChild(table.getFirstChild());
    }
    table.setAttribute("sizeOfGlobalColorTable", Integer.toString(PALETTE.getMapSize()));
    table.setAttribute("backgroundColorIndex", "0");
    table.setAttribute("sortFlag", "FALSE");
    for (int n = 0; n < PALETTE.getMapSize(); n++) {
      IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
      entry.setAttribute("index", Integer.toString(n));
      entry.setAttribute("red", Integer.toString(PALETTE.getRed(n)));
      entry.setAttribute("green", Integer.toString(PALETTE.getGreen(n)));
      entry.setAttribute("blue", Integer.toString(PALETTE.getBlue(n)));
      table.appendChild(entry);
    }
    meta.setFromTree(STREAM_FORMAT, root);
    return meta;
  }

  private static IIOMetadata frameMetadata(
      ImageWriter writer, BufferedImage img, ImageWriteParam param, int centiseconds, boolean loop)
      throws IOException {
    IIOMetadata meta =
        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
    // The default local table is a generic palette, not the image's; frames use the global table.
    root.removeChild(child(root, "LocalColorTable"));
    IIOMetadataNode gce = child(root, "GraphicControlExtension");
    gce.setAttribute("disposalMethod", "none");
    gce.setAttribute("userInputFlag", "FALSE");
    gce.setAttribute("transparentColorFlag", "FALSE");
    gce.setAttribute("delayTime", Integer.toString(centiseconds));
    gce.setAttribute("transparentColorIndex", "0");
    if (loop) {
      IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
      app.setAttribute("applicationID", "NETSCAPE");
      app.setAttribute("authenticationCode", "2.0");
      // Sub-block 1, then the loop count as little-endian uint16; 0 = forever.
      app.setUserObject(new byte[] {1, 0, 0});
      child(root, "ApplicationExtensions").appendChild(app);
    }
    meta.setFromTree(FORMAT, root);
    return meta;
  }

  private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
    for (int n = 0; n < parent.getLength(); n++) {
      if (parent.item(n).getNodeName().equals(name)) {
        return (IIOMetadataNode) parent.item(n);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    parent.appendChild(node);
    return node;
  }

  /** {@code img} on the fixed palette; {@code nearest} caches colour lookups across frames. */
  private static BufferedImage toPalette(BufferedImage img, NearestColours nearest) {
    int w = img.getWidth();
    int h = img.getHeight();
    boolean packed = img.getType() == BufferedImage.TYPE_INT_RGB || img.getType() == BufferedImage.TYPE_INT_ARGB;
    // This package's images are packed RGB: their pixels are read as they are stored, without a colour model.
    int[] rgb = packed ? (int[]) img.getRaster().getDataElements(0, 0, w, h, null) : img.getRGB(0, 0, w, h, null, 0, w);
    byte[] idx = new byte[rgb.length];
    for (int n = 0; n < rgb.length; n++) {
      idx[n] = nearest.of(rgb[n] & 0xffffff);
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
    out.getRaster().setDataElements(0, 0, w, h, idx);
    return out;
  }

  /** The nearest palette entry of each RGB colour met so far (open addressing: no boxing per pixel). */
  private static final class NearestColours {
    private int[] keys = emptyKeys(1 << 10);
    private byte[] entries = new byte[keys.length];
    private int size;

    private static int[] emptyKeys(int n) {
      int[] k = new int[n];
      java.util.Arrays.fill(k, -1); // colours are 24-bit, so -1 is no colour
      return k;
    }

    byte of(int rgb) {
      int mask = keys.length - 1;
      int slot = (rgb * 0x9E3779B1) >>> 8 & mask;
      while (keys[slot] != -1) {
        if (keys[slot] == rgb) {
          return entries[slot];
        }
        slot = slot + 1 & mask;
      }
      byte e = nearestEntry(rgb);
      keys[slot] = rgb;
      entries[slot] = e;
      if (++size > keys.length / 2) {
        grow();
      }
      return e;
    }

    private void grow() {
      int[] oldKeys = keys;
      byte[] oldEntries = entries;
      keys = emptyKeys(2 * oldKeys.length);
      entries = new byte[keys.length];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != -1) {
          int slot = (oldKeys[i] * 0x9E3779B1) >>> 8 & mask;
          while (keys[slot] != -1) {
            slot = slot + 1 & mask;
          }
          keys[slot] = oldKeys[i];
          entries[slot] = oldEntries[i];
        }
      }
    }
  }

  private static byte nearestEntry(int rgb) {
    int best = 0;
    long bestDist = Long.MAX_VALUE;
    for (int n = 0; n < PALETTE.getMapSize(); n++) {
      long dr = PALETTE.getRed(n) - ((rgb >> 16) & 0xff);
      long dg = PALETTE.getGreen(n) - ((rgb >> 8) & 0xff);
      long db = PALETTE.getBlue(n) - (rgb & 0xff);
      long d = dr * dr + dg * dg + db * db;
      if (d < bestDist) {
        bestDist = d;
        best = n;
      }
    }
    return (byte) best;
  }

  private static IndexColorModel palette() {
    int[] colours = new int[256];
    for (int n = 0; n < 128; n++) {
      int g = Math.round(n * 255f / 127);
      colours[n] = g << 16 | g << 8 | g;
    }
    Colormap diverging = Colormap.diverging(1);
    Colormap heat = Colormap.heat(1);
    for (int n = 0; n < 64; n++) {
      colours[128 + n] = diverging.rgb(-1 + 2.0 * n / 63);
      colours[192 + n] = heat.rgb(n / 63.0);
    }
    return new IndexColorModel(8, 256, colours, 0, false, -1, DataBuffer.TYPE_BYTE);
  }
}
