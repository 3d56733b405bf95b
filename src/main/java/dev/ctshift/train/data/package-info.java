/**
 * Training data from folders of NIfTI scans: finding the scans ({@link dev.ctshift.train.data.ScanFiles}),
 * their finding labels ({@link dev.ctshift.train.data.FindingTable}) and label maps, and bringing
 * them into a model's input space ({@link dev.ctshift.train.data.ModelSpaceLoader}) with the same
 * preprocessing {@code ctshift explain} applies, as the datasets the trainers take
 * ({@link dev.ctshift.train.data.TrainingSets}).
 */
package dev.ctshift.train.data;
