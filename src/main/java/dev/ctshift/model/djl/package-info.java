/**
 * ctshift's own DJL-native networks (PyTorch engine, float32) and their views as
 * {@link dev.ctshift.model.SliceAutoencoder} and {@link dev.ctshift.model.VolumeModel}.
 *
 * <p>{@link dev.ctshift.model.djl.Architecture} names the networks ({@code slice-ae},
 * {@code classifier3d}, {@code segmenter3d}) and builds them from the {@code architecture_args} of a
 * {@code model.json}; {@link dev.ctshift.model.djl.DjlNetwork} owns one built network and its weights;
 * {@link dev.ctshift.model.djl.DjlModels} loads a model directory written by the trainers of
 * {@code dev.ctshift.train}.
 *
 * <p>The networks contain no layer whose behaviour depends on DJL's {@code training} flag (no batch
 * norm, no dropout), so inference and gradient passes compute the same function.
 */
package dev.ctshift.model.djl;
