/**
 * Batch runs: many scans explained with models loaded once, resumable and shardable.
 *
 * <p>{@link dev.ctshift.batch.ScanPlanner} turns a folder (NIfTI files and DICOM series, found
 * recursively) or a manifest (CSV or JSONL) into a sorted list of {@link dev.ctshift.batch.ScanJob}s,
 * each with a stable output folder name; {@link dev.ctshift.batch.Shard} splits that list
 * deterministically; {@link dev.ctshift.batch.BatchRunner} explains every job in its own folder
 * {@code OUT/scans/<name>/}, isolates failures, and keeps {@code OUT/summary.csv} and
 * {@code OUT/summary.json} up to date after every scan; {@link dev.ctshift.batch.SummaryMerger} joins
 * the summaries of shards.
 *
 * <p>A scan is <em>done</em> iff its folder holds {@code batch.json}: it is written (atomically) after
 * every explanation output has been moved into place, so a run killed at any moment leaves each scan
 * either done or unfinished, and an unfinished folder is removed and redone by the next run.
 */
package dev.ctshift.batch;
