package dev.ctshift.io.sanity;

import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How a scan's values are taken, as the user asked on the command line.
 *
 * @param assumeHu take the values as HU without the plausibility check ({@code --assume-hu})
 * @param rescale a linear map from stored values to HU ({@code --rescale SLOPE INTERCEPT}), or null
 * @param strict refuse a scan the autoencoder reconstructs far worse than its held-out figure, instead of
 *     warning ({@code --strict})
 * @param allowedModalities DICOM modalities besides CT whose series are read ({@code --allow-modality}), upper
 *     case; their values are still checked as HU
 */
public record InputPolicy(boolean assumeHu, Rescale rescale, boolean strict, Set<String> allowedModalities) {
  /** Values checked as HU, nothing rescaled, warnings only, DICOM series of modality CT only. */
  public static final InputPolicy DEFAULT = new InputPolicy(false, null, false);

  public InputPolicy {
    // Sorted: the policy's text is part of a batch's fingerprint, which must not change between runs.
    allowedModalities = Collections.unmodifiableSortedSet(allowedModalities.stream()
        .map(m -> m.trim().toUpperCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new)));
  }

  /** A policy that reads DICOM series of modality CT only. */
  public InputPolicy(boolean assumeHu, Rescale rescale, boolean strict) {
    this(assumeHu, rescale, strict, Set.of());
  }

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
