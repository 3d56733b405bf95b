package dev.ctshift.phantom;

import java.util.List;

/**
 * The findings requested for one subject.
 *
 * @param effusionSide where pleural fluid is; {@link EffusionSide#NONE} for none
 * @param effusionFraction on each affected side, the fraction (0..0.9) of the pleural space imaged in
 *     the volume (aerated lung plus fluid) that is fluid; 0 when the side is NONE
 * @param heartScale linear scale of the heart (1 = average adult; cardiomegaly from
 *     {@link #CARDIOMEGALY_SCALE})
 * @param noduleDiametersMm diameters of the solid lung nodules to place, in mm (2..40); copied
 * @throws IllegalArgumentException if a value is outside its range
 */
public record Findings(
    EffusionSide effusionSide, double effusionFraction, double heartScale, List<Double> noduleDiametersMm) {
  /** Heart scales at or above this count as cardiomegaly (cardiothoracic ratio above about 0.5). */
  public static final double CARDIOMEGALY_SCALE = 1.15;

  public Findings {
    if (effusionSide == null) {
      throw new IllegalArgumentException("effusion side must not be null (use NONE)");
    }
    if (!(effusionFraction >= 0 && effusionFraction <= 0.9)) {
      throw new IllegalArgumentException("effusion fraction must be in [0, 0.9], got " + effusionFraction);
    }
    if ((effusionSide == EffusionSide.NONE) != (effusionFraction == 0)) {
      throw new IllegalArgumentException(
          "effusion fraction must be 0 exactly when the side is NONE, got " + effusionSide + " " + effusionFraction);
    }
    if (!(heartScale >= 0.7 && heartScale <= 1.7)) {
      throw new IllegalArgumentException("heart scale must be in [0.7, 1.7], got " + heartScale);
    }
    noduleDiametersMm = List.copyOf(noduleDiametersMm);
    for (double d : noduleDiametersMm) {
      if (!(d >= 2 && d <= 40)) {
        throw new IllegalArgumentException("nodule diameter must be in [2, 40] mm, got " + d);
      }
    }
  }

  /** A normal subject: no effusion, average heart, no nodules. */
  public static Findings normal() {
    return new Findings(EffusionSide.NONE, 0, 1, List.of());
  }

  public boolean cardiomegaly() {
    return heartScale >= CARDIOMEGALY_SCALE;
  }
}
