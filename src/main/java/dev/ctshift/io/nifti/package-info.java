/**
 * Reading and writing NIfTI-1 and NIfTI-2 images ({@code .nii}, {@code .nii.gz}).
 *
 * <p>The format is implemented here by hand: no Java NIfTI library is obtainable from the registries
 * this project builds from. {@link dev.ctshift.io.nifti.NiftiReader} reads single-file images of either
 * version and byte order into float32 {@link dev.ctshift.volume.Volume}s (i fastest, affine voxel to
 * RAS+ mm); {@link dev.ctshift.io.nifti.NiftiWriter} writes little-endian NIfTI-1 with both sform and
 * qform. The tests compare against fixtures made by nibabel ({@code scripts/make_nifti_fixtures.py}).
 */
package dev.ctshift.io.nifti;
