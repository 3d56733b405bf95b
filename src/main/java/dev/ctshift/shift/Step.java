package dev.ctshift.shift;

/**
 * One evaluated point on the λ path: the shift, the model's link and score for the volume it gives,
 * and how much that volume differs from the λ = 0 frame (mean |Δ| divided by mean |x|).
 */
public record Step(double lambda, double link, double score, double change) {}
