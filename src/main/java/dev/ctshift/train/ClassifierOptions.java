package dev.ctshift.train;

/**
 * What a {@link ClassifierTrainer} adds to plain multi-label training; {@link #DEFAULTS} adds nothing.
 *
 * @param regionWeight weight of the evidence-map loss when the data marks finding regions
 * @param crops crops for the first epochs, or null for whole volumes throughout
 * @param labelSmoothing ε in [0, 1): scan-level targets become ε/2 and 1 - ε/2
 * @param penalty the input-gradient penalty of the outputs with a region
 */
public record ClassifierOptions(double regionWeight, FindingCrops crops, double labelSmoothing,
    GradientPenalty penalty) {
  /** Region weight 1, no crops, no smoothing, no penalty. */
  public static final ClassifierOptions DEFAULTS = new ClassifierOptions(1, null, 0, GradientPenalty.NONE);

  /** @throws IllegalArgumentException on a negative or non-finite weight or a smoothing outside [0, 1) */
  public ClassifierOptions {
    if (!(regionWeight >= 0) || Double.isInfinite(regionWeight)) {
      throw new IllegalArgumentException("the region weight must be finite and at least 0, got " + regionWeight);
    }
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + labelSmoothing);
    }
    if (penalty == null) {
      penalty = GradientPenalty.NONE;
    }
  }

  public ClassifierOptions withRegionWeight(double w) {
    return new ClassifierOptions(w, crops, labelSmoothing, penalty);
  }

  public ClassifierOptions withCrops(FindingCrops c) {
    return new ClassifierOptions(regionWeight, c, labelSmoothing, penalty);
  }

  public ClassifierOptions withLabelSmoothing(double e) {
    return new ClassifierOptions(regionWeight, crops, e, penalty);
  }

  public ClassifierOptions withPenalty(GradientPenalty p) {
    return new ClassifierOptions(regionWeight, crops, labelSmoothing, p);
  }
}
