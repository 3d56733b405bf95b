package dev.ctshift.report.render;

/**
 * A grey-scale display window in HU: values at or below {@code level - width / 2} are black, at or
 * above {@code level + width / 2} white, linear in between:
 * {@code grey = round(255 * clamp((hu - (level - width / 2)) / width, 0, 1))}. NaN is black.
 *
 * @param level window centre in HU
 * @param width window width in HU, positive
 */
public record Window(double level, double width) implements Colormap {
  /** Chest/lung overview: W 1500, L -300 (lung parenchyma and soft tissue both visible). */
  public static final Window CHEST = new Window(-300, 1500);
  /** Soft tissue: W 400, L 40. */
  public static final Window SOFT_TISSUE = new Window(40, 400);

  /** @throws IllegalArgumentException if the width is not positive or either value is not finite */
  public Window {
    if (!Double.isFinite(level) || !Double.isFinite(width) || width <= 0) {
      throw new IllegalArgumentException(
          "window needs a finite level and a positive width in HU, got L=" + level + " W=" + width);
    }
  }

  /** The grey level 0..255 of {@code hu}. */
  public int grey(double hu) {
    if (Double.isNaN(hu)) {
      return 0;
    }
    double t = (hu - (level - width / 2)) / width;
    return (int) Math.round(255 * Math.max(0, Math.min(1, t)));
  }

  @Override
  public int rgb(double hu) {
    int g = grey(hu);
    return g << 16 | g << 8 | g;
  }
}
