/**
 * {@code ctshift evaluate}: how well counterfactuals explain a finding whose location is known.
 *
 * <p>{@link dev.ctshift.evaluate.Cohort} lists a folder of scans with label maps (as
 * {@code ctshift phantom} writes); {@link dev.ctshift.evaluate.Evaluator} runs each
 * {@link dev.ctshift.evaluate.Method} (Latent Shift configurations and the gradient-saliency baseline)
 * on one scan, with models loaded once, and measures validity, localisation
 * ({@link dev.ctshift.evaluate.MapMetrics} against the mask, grown by
 * {@link dev.ctshift.evaluate.MaskDilation}), proximity, reconstruction gap and cost on the scan's own
 * grid; {@link dev.ctshift.evaluate.CohortEvaluation} iterates the cohort and
 * {@link dev.ctshift.evaluate.Tables} writes {@code per_scan.csv}, {@code summary.csv} and
 * {@code summary.md}. The exact definitions are in {@code docs/EVALUATION.md}.
 */
package dev.ctshift.evaluate;
