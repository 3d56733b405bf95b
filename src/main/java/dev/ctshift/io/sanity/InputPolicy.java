package dev.ctshift.io.sanity;

/**
 * How a scan's values are taken, as the user asked on the command line.
 *
 * @param assumeHu take the values as HU without the plausibility check ({@code --assume-hu})
 * @param rescale a linear map from stored values to HU ({@code --rescale SLOPE INTERCEPT}), or null
 * @param strict refuse a scan the autoencoder reconstructs far worse than its held-out figure, instead of
 *     warning ({@code --strict})
 */
public record InputPolicy(boolean assumeHu, Rescale rescale, boolean strict) {
  /** Values checked as HU, nothing rescaled, warnings only. */
  public static final InputPolicy DEFAULT = new InputPolicy(false, null, false);

  /**
   * HU = slope * stored + intercept.
   *
   * @throws IllegalArgumentException if the slope is zero or either number is not finite
   */
  public record Rescale(double slope, double intercept) {
    public Rescale {
      if (!Double.isFinite(slope) || !Double.isFinite(intercept) || slope == 0) {
        throw new IllegalArgumentException("--rescale needs a finite, non-zero SLOPE and a finite INTERCEPT, got "
            + slope + " " + intercept);
      }
    }

    /** The HU of a stored value. */
    public float apply(float stored) {
      return (float) (slope * stored + intercept);
    }

    @Override
    public String toString() {
      return "HU = " + slope + " * value " + (intercept < 0 ? "- " + -intercept : "+ " + intercept);
    }
  }
}
