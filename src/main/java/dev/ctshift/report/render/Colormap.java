package dev.ctshift.report.render;

/**
 * Maps a scalar (HU, HU difference or a score) to an opaque colour {@code 0xRRGGBB}.
 *
 * <p>Implementations must be pure functions so that a slice renders the same every time.
 */
@FunctionalInterface
public interface Colormap {
  /** White: the diverging map's colour for "no change". */
  int NEUTRAL = 0xffffff;
  /** The diverging map's colour at {@code -maxAbs}. */
  int DECREASED = 0x1f4fd8;
  /** The diverging map's colour at {@code +maxAbs}. */
  int INCREASED = 0xd8261f;

  /** The colour of {@code value} as {@code 0xRRGGBB}; NaN maps to the map's neutral colour. */
  int rgb(double value);

  /**
   * Diverging map for differences in HU: {@code -maxAbs} and below are blue (value decreased), 0 is
   * white, {@code +maxAbs} and above are red (value increased), linear in between.
   *
   * @throws IllegalArgumentException if {@code maxAbs} is not a positive finite number
   */
  static Colormap diverging(double maxAbs) {
    requirePositive(maxAbs, "diverging scale");
    return v -> {
      if (Double.isNaN(v)) {
        return NEUTRAL;
      }
      double t = Math.max(-1, Math.min(1, v / maxAbs));
      return t < 0 ? blend(NEUTRAL, DECREASED, -t) : blend(NEUTRAL, INCREASED, t);
    };
  }

  /**
   * Heat map for non-negative values: 0 (and below, and NaN) black, {@code max / 2} red, {@code max}
   * and above yellow, linear in between.
   *
   * @throws IllegalArgumentException if {@code max} is not a positive finite number
   */
  static Colormap heat(double max) {
    requirePositive(max, "heat scale");
    return v -> {
      if (!(v > 0)) {
        return 0x000000;
      }
      double t = Math.min(1, v / max);
      return t < 0.5 ? blend(0x000000, 0xff0000, 2 * t) : blend(0xff0000, 0xffff00, 2 * t - 1);
    };
  }

  /** Linear blend of two colours, {@code t} in [0, 1], rounded per channel. */
  private static int blend(int from, int to, double t) {
    int rgb = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int a = (from >> shift) & 0xff;
      int b = (to >> shift) & 0xff;
      rgb |= (int) Math.round(a + (b - a) * t) << shift;
    }
    return rgb;
  }

  private static void requirePositive(double x, String what) {
    if (!(x > 0) || Double.isInfinite(x)) {
      throw new IllegalArgumentException(what + " must be a positive finite number, got " + x);
    }
  }
}
