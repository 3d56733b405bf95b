package dev.ctshift.evaluate;

/**
 * The metrics of one method on one scan: one row of {@code per_scan.csv}. All maps are compared on the
 * scan's own grid. Undefined values are {@code NaN} (written as empty cells): localisation when the
 * mask is empty, counterfactual-only values for the saliency baseline, validity without a threshold.
 *
 * @param id the scan's id in the cohort
 * @param method the method evaluated
 * @param maskVoxels voxels of the finding's label
 * @param dilatedVoxels voxels of the mask dilated by the configured radius
 * @param scanScore score of the model on the scan
 * @param reconstructionScore score on the autoencoder's reconstruction of the scan
 * @param counterfactualScore score on the counterfactual (the frame at λ*)
 * @param threshold decision threshold on the score, NaN if none applies
 * @param crossed 1 if the scan's score is above the threshold and the counterfactual's at or below it,
 *     0 if the scan is above and the counterfactual too, NaN if the scan is not above (or no threshold)
 * @param stopReason why the λ search stopped (null for the baseline)
 * @param reachedTarget 1 if the search stopped because it reached its target score, else 0
 * @param lambdaStar the shift of the counterfactual
 * @param changeShareInside share of {@code |cf - scan|} (HU) inside the dilated mask
 * @param mapShareInside share of the map's mass inside the dilated mask (heatmap, or saliency)
 * @param mapIoU IoU of the map's top-|mask| voxels with the (undilated) mask
 * @param meanAbsDeltaHuInside mean {@code |cf - scan|} in HU over the dilated mask
 * @param meanAbsDeltaHuOutside mean {@code |cf - scan|} in HU over the rest of the scan
 * @param evaluations whole-volume model evaluations of search and sweep (0 for the baseline)
 * @param searchEvaluations those of the search alone
 * @param seconds wall time of the method on this scan (engine only: no reading, mapping or metrics)
 * @param peakRssMiB peak resident memory of the process while the method ran (Linux), -1 if unknown
 * @param gradients gradients the path followed (each costs a model forward and backward and a decoder
 *     pass with gradient); 0 for the baseline and when nothing was shifted
 */
public record ScanRow(
    String id,
    Method method,
    int maskVoxels,
    int dilatedVoxels,
    double scanScore,
    double reconstructionScore,
    double counterfactualScore,
    double threshold,
    double crossed,
    String stopReason,
    double reachedTarget,
    double lambdaStar,
    double changeShareInside,
    double mapShareInside,
    double mapIoU,
    double meanAbsDeltaHuInside,
    double meanAbsDeltaHuOutside,
    int evaluations,
    int searchEvaluations,
    double seconds,
    double peakRssMiB,
    int gradients) {

  /** Score on the scan minus score on its reconstruction. */
  public double reconstructionGap() {
    return scanScore - reconstructionScore;
  }

  /** Whether the finding's mask is non-empty (the scan is a positive). */
  public boolean positive() {
    return maskVoxels > 0;
  }
}
