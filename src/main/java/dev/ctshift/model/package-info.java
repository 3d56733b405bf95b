/**
 * Models as the engine sees them: {@link dev.ctshift.model.SliceAutoencoder} (axial slices to latents
 * and back) and {@link dev.ctshift.model.VolumeModel} (a whole volume to raw outputs), loaded from a
 * folder described by its {@code model.json} ({@link dev.ctshift.model.ModelManifest}, the one reader and
 * writer of that file, with {@link dev.ctshift.model.ArchitectureArgs} for DJL-native networks), TorchScript
 * ({@code model.torchscript}) or DJL-native ({@code model.djl}) alike.
 */
package dev.ctshift.model;
