package dev.ctshift.evaluate;

import dev.ctshift.shift.ShiftConfig;
import java.util.Locale;

/**
 * One explanation method under evaluation: a Latent Shift configuration (composition and λ search)
 * or the gradient-saliency baseline (both fields null).
 */
public record Method(ShiftConfig.Composition composition, ShiftConfig.Search search) {
  /** The plain gradient saliency baseline. */
  public static final Method SALIENCY = new Method(null, null);

  /** A Latent Shift configuration. */
  public static Method latentShift(ShiftConfig.Composition composition, ShiftConfig.Search search) {
    if (composition == null || search == null) {
      throw new IllegalArgumentException("a Latent Shift method needs a composition and a search");
    }
    return new Method(composition, search);
  }

  /** Whether this is the saliency baseline (no counterfactual). */
  public boolean isSaliency() {
    return composition == null;
  }

  /** "residual/adaptive", "reconstruction/reference", … or "saliency". */
  public String label() {
    return isSaliency() ? "saliency" : name(composition) + "/" + name(search);
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
