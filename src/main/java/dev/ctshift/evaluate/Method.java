package dev.ctshift.evaluate;

import dev.ctshift.shift.ExplanationMethod;
import dev.ctshift.shift.ShiftConfig;
import java.util.Locale;

/**
 * One explanation method under evaluation: a named path preset ({@link ExplanationMethod}), a Latent
 * Shift configuration (composition and λ search, the other engine settings shared), or the
 * gradient-saliency baseline (all fields null).
 */
public record Method(ShiftConfig.Composition composition, ShiftConfig.Search search, ExplanationMethod preset) {
  /** The plain gradient saliency baseline. */
  public static final Method SALIENCY = new Method(null, null, null);

  /** A Latent Shift configuration. */
  public static Method latentShift(ShiftConfig.Composition composition, ShiftConfig.Search search) {
    if (composition == null || search == null) {
      throw new IllegalArgumentException("a Latent Shift method needs a composition and a search");
    }
    return new Method(composition, search, null);
  }

  /** A named preset: its composition, search, restarts and re-linearisation replace the shared settings. */
  public static Method preset(ExplanationMethod preset) {
    ShiftConfig c = preset.apply(ShiftConfig.builder()).build();
    return new Method(c.composition(), c.search(), preset);
  }

  /** The engine settings of this method, from the settings shared by all methods. */
  public ShiftConfig configure(ShiftConfig shared) {
    ShiftConfig.Builder b = shared.toBuilder();
    return (preset != null ? preset.apply(b) : b.optComposition(composition).optSearch(search)).build();
  }

  /** Whether this is the saliency baseline (no counterfactual). */
  public boolean isSaliency() {
    return composition == null;
  }

  /** "default", "paper", … for presets; "residual/adaptive", "reconstruction/reference", …; or "saliency". */
  public String label() {
    return isSaliency() ? "saliency" : preset != null ? preset.label() : name(composition) + "/" + name(search);
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
