package dev.ctshift.report.render;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Lays out rendered slices: captioned tiles side by side ({@link #row}), rows stacked
 * ({@link #column}). Output images are new {@code TYPE_INT_RGB} images on a black background; inputs
 * are only read.
 *
 * <p>Each tile gets a caption strip of {@link #CAPTION_PX} below it, drawn in white with the Java2D
 * default font. The layout never depends on fonts: if text cannot be drawn (a headless JDK without any
 * font installed makes Java2D throw), the strip stays blank instead of failing the run.
 *
 * <pre>{@code
 * BufferedImage frame = Panel.row(List.of(
 *     new Panel.Tile(input, "input p=0.93  z=41"),
 *     new Panel.Tile(counterfactual, "counterfactual p=0.08"),
 *     new Panel.Tile(difference, "difference \u00b1200 HU")));
 * }</pre>
 */
public final class Panel {
  /** Height of the caption strip under each tile. */
  public static final int CAPTION_PX = 20;
  /** Space between tiles and between rows. */
  public static final int GAP_PX = 4;

  private static final int FONT_PT = 12;

  /** An image with the caption shown under it. */
  public record Tile(BufferedImage image, String caption) {
    public Tile {
      if (image == null) {
        throw new IllegalArgumentException("tile image is null");
      }
      caption = caption == null ? "" : caption;
    }
  }

  private Panel() {}

  /**
   * Tiles left to right, top-aligned, {@link #GAP_PX} apart, each with its caption strip below: width
   * is the sum of tile widths plus gaps, height the tallest tile plus {@link #CAPTION_PX}.
   *
   * @throws IllegalArgumentException if {@code tiles} is empty
   */
  public static BufferedImage row(List<Tile> tiles) {
    if (tiles.isEmpty()) {
      throw new IllegalArgumentException("a panel row needs at least one tile");
    }
    int width = GAP_PX * (tiles.size() - 1);
    int imageHeight = 0;
    for (Tile t : tiles) {
      width += t.image().getWidth();
      imageHeight = Math.max(imageHeight, t.image().getHeight());
    }
    BufferedImage out = blank(width, imageHeight + CAPTION_PX);
    Graphics2D g = out.createGraphics();
    try {
      int x = 0;
      for (Tile t : tiles) {
        g.drawImage(t.image(), x, 0, null);
        drawCaption(g, t.caption(), x, imageHeight, t.image().getWidth());
        x += t.image().getWidth() + GAP_PX;
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Images top to bottom, left-aligned, {@link #GAP_PX} apart (e.g. one {@link #row} per top slice).
   *
   * @throws IllegalArgumentException if {@code rows} is empty
   */
  public static BufferedImage column(List<BufferedImage> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a panel column needs at least one row");
    }
    int width = 0;
    int height = GAP_PX * (rows.size() - 1);
    for (BufferedImage r : rows) {
      width = Math.max(width, r.getWidth());
      height += r.getHeight();
    }
    BufferedImage out = blank(width, height);
    Graphics2D g = out.createGraphics();
    try {
      int y = 0;
      for (BufferedImage r : rows) {
        g.drawImage(r, 0, y, null);
        y += r.getHeight() + GAP_PX;
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  private static BufferedImage blank(int width, int height) {
    // TYPE_INT_RGB starts all zero: black.
    return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
  }

  /**
   * Draws {@code text} clipped to the strip, or nothing when the platform has no usable font. Java2D
   * then fails in several ways: NullPointerException from the font configuration,
   * UnsatisfiedLinkError from the native font manager, or Error "Probable fatal error: No fonts found".
   */
  private static void drawCaption(Graphics2D g, String text, int x, int y, int width) {
    if (text.isEmpty()) {
      return;
    }
    Graphics2D c = (Graphics2D) g.create(x, y, width, CAPTION_PX);
    try {
      Font font = new Font(Font.DIALOG, Font.PLAIN, FONT_PT);
      c.setFont(font);
      c.setColor(Color.WHITE);
      c.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      int baseline = (CAPTION_PX + c.getFontMetrics().getAscent()) / 2 - 1;
      c.drawString(displayable(font, text), 3, baseline);
    } catch (OutOfMemoryError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      // No usable font. Captions are decoration; the images carry the result.
    } finally {
      c.dispose();
    }
  }

  /** {@code text} with characters the font lacks replaced ("±" by "+/-", others by "?"). */
  private static String displayable(Font font, String text) {
    if (font.canDisplayUpTo(text) < 0) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      if (font.canDisplay(cp)) {
        sb.appendCodePoint(cp);
      } else {
        sb.append(cp == '\u00b1' ? "+/-" : "?");
      }
    });
    return sb.toString();
  }
}
