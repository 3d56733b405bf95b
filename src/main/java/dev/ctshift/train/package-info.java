/**
 * Training of ctshift's DJL-native networks ({@link dev.ctshift.model.djl.Architecture}) on
 * in-memory data already windowed to [0, 1]: {@link dev.ctshift.train.AutoencoderTrainer} (axial
 * slices), {@link dev.ctshift.train.ClassifierTrainer} (multi-label volumes) and
 * {@link dev.ctshift.train.SegmenterTrainer} (voxel masks).
 *
 * <p>All trainers share {@link dev.ctshift.train.TrainConfig}: Adam, a seeded run that reproduces
 * its losses exactly, a validation split, per-epoch metrics and checkpoints with resume, a
 * {@link dev.ctshift.train.ProgressListener} for progress bars, and {@code save(dir)} writing a
 * model directory that {@link dev.ctshift.model.djl.DjlModels} loads. A
 * {@link dev.ctshift.train.TrainingRun} fits one trainer and writes the model folder with its
 * {@link dev.ctshift.train.TrainingRecord} ({@code training.json}); each trainer describes its model
 * for {@code model.json} with {@link dev.ctshift.model.ModelManifest#builder()}.
 *
 * <p>This package does not read scans: {@code dev.ctshift.train.data} turns folders of NIfTI files
 * into its datasets.
 */
package dev.ctshift.train;
