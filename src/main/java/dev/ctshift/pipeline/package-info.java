/**
 * One scan from file to outputs: read → preprocess → engine → compose → write, with models loaded
 * once and reused.
 *
 * <p>{@link dev.ctshift.pipeline.ScanPipeline} is the one entry to preprocess → engine → compose, used by
 * explain, batch, evaluate and the benchmark. {@link dev.ctshift.pipeline.ScanExplainer} explains one
 * target and writes its outputs; {@link
 * dev.ctshift.pipeline.MultiTargetExplainer} explains several targets of one scan with one
 * preprocessing and one encoding, and writes their {@link dev.ctshift.pipeline.TargetsSummary} with
 * the cross-effects table; {@link dev.ctshift.pipeline.TargetSelection} says which targets.
 */
package dev.ctshift.pipeline;
