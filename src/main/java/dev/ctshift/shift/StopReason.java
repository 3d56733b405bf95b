package dev.ctshift.shift;

/** Why a λ search ended; recorded in every report. */
public enum StopReason {
  /** The score reached the requested value. */
  REACHED_TARGET,
  /** The score stopped moving the requested way. */
  SCORE_PLATEAU,
  /** The volume changed by more than the budget allows. */
  CHANGE_BUDGET,
  /** |λ| reached its limit. */
  LAMBDA_LIMIT,
  /** The search used all the evaluations it was allowed. */
  EVALUATION_LIMIT,
  /** The gradient is zero or not finite: the model's score does not depend on the latents here. */
  NO_GRADIENT,
  /** The score is already at or beyond the target at λ = 0. */
  ALREADY_AT_TARGET;

  /** Lower-case, hyphenated name for reports, e.g. "reached-target". */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
