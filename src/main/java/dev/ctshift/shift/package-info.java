/**
 * The Latent Shift engine, in the model's input space: the explained score ({@link
 * dev.ctshift.shift.Objective}), slice latents and the chunked latent gradient ({@link
 * dev.ctshift.shift.SliceLatentSpace}), the λ search ({@link dev.ctshift.shift.LambdaSearch}, which
 * sees only a path of scores and is testable without tensors), and the one-call explainer ({@link
 * dev.ctshift.shift.LatentShiftExplainer}) that returns an {@link dev.ctshift.shift.Explanation}.
 * Nothing here knows about files or the scan's own grid.
 */
package dev.ctshift.shift;
