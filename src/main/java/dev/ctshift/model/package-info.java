/**
 * Models as the engine sees them: {@link dev.ctshift.model.SliceAutoencoder} (axial slices to latents
 * and back) and {@link dev.ctshift.model.VolumeModel} (a whole volume to raw outputs), loaded from a
 * folder described by its {@code model.json} ({@link dev.ctshift.model.ModelManifest}), TorchScript
 * ({@code model.torchscript}) or DJL-native ({@code model.djl}) alike.
 */
package dev.ctshift.model;
