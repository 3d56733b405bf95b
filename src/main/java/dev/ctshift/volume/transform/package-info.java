/**
 * Invertible preprocessing of CT volumes into a model's input space, as small immutable transforms
 * named after their MONAI counterparts: {@link dev.ctshift.volume.transform.Orient},
 * {@link dev.ctshift.volume.transform.Spacing},
 * {@link dev.ctshift.volume.transform.ScaleIntensityRange},
 * {@link dev.ctshift.volume.transform.ResizeWithPadOrCrop} and
 * {@link dev.ctshift.volume.transform.DivisiblePadDepth}, chained by
 * {@link dev.ctshift.volume.transform.Preprocessing}.
 *
 * <p>Every transform works on {@link dev.ctshift.volume.Volume}s (axis i fastest, affine to RAS+ mm)
 * and keeps world positions consistent through the affine. Inversion needs only the input's
 * {@link dev.ctshift.volume.transform.VolumeGeometry}, never its voxel data.
 */
package dev.ctshift.volume.transform;
