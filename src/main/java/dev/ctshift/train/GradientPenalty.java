package dev.ctshift.train;

/**
 * Input-gradient regularisation of a classifier with annotated findings, after Ross, Hughes and
 * Doshi-Velez, "Right for the Right Reasons" (IJCAI 2017): on a scan that has an output's finding, the
 * gradient of that output's logit with respect to the input voxels farther than {@code margin} voxels
 * from the finding is pushed toward zero. The loss gains {@code weight} times the squared gradient
 * there, summed over voxels and outputs and averaged over the batch, so that the classifier takes its
 * evidence from the finding. It does on small synthetic data with a decoy (GradientPenaltyTest); on
 * the phantoms' effusion the output lost the finding or went flat instead (models/PHANTOM-MODELS.md).
 *
 * <p>The relative form penalises instead the share of the squared gradient that lies outside, per
 * scan and output: it does not change when the gradient is scaled, so a network cannot lower it by
 * going flat, only by moving its gradient into the finding.
 *
 * @param weight factor of the penalty; 0 turns it off
 * @param margin voxels around the finding (a cube of side 2 margin + 1) where the gradient is free
 * @param relative penalise the share of the squared gradient outside rather than its sum
 */
public record GradientPenalty(double weight, int margin, boolean relative) {
  /** No penalty. */
  public static final GradientPenalty NONE = new GradientPenalty(0, 0, false);

  /** @throws IllegalArgumentException if the weight is negative or not finite, or the margin negative */
  public GradientPenalty {
    if (!(weight >= 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException("the gradient penalty weight must be finite and at least 0, got " + weight);
    }
    if (margin < 0) {
      throw new IllegalArgumentException("the gradient penalty margin must be at least 0, got " + margin);
    }
  }

  /** Whether the penalty is on. */
  public boolean active() {
    return weight > 0;
  }
}
