/**
 * DICOM input and output: finding CT series in folders ({@link dev.ctshift.io.dicom.DicomScanner}),
 * reading one as an HU {@link dev.ctshift.volume.Volume} ({@link dev.ctshift.io.dicom.DicomSeriesReader})
 * and writing a volume back as a derived CT series ({@link dev.ctshift.io.dicom.DicomDerivedWriter}).
 *
 * <p><b>Voxel order.</b> A series read from DICOM keeps the pixel order of its images: i is the column
 * (along ImageOrientationPatient's row direction), j the row, k the slice index after sorting the
 * slices along the image normal (row x column direction), ascending. The affine maps these indices to
 * RAS+ mm (DICOM's LPS patient coordinates with x and y negated); nothing is resampled or flipped, so
 * an axial head-first-supine series comes out as "LPS".
 *
 * <p><b>Defined behaviour for imperfect series.</b> Files that are not DICOM or cannot be parsed are
 * skipped and listed, never fatal for the others; so is a file in which an element claims more bytes
 * than the file holds (checked before PixelMed allocates them). A data set stored without the 128-byte
 * preamble is read like any other. An image without a usable geometry (pixel spacing not positive,
 * orientation vectors zero or not perpendicular, position not finite) makes its series unusable, with
 * a message naming the file and the value. Slices at the same position are dropped (the first
 * by file path is kept) with a warning; when a duplicate leaves a gap, the message says both. A
 * missing slice, uneven spacing, images of different sizes, orientations or pixel spacings in one series fail with a message that names the files and
 * positions. A gantry tilt (slices stacked obliquely to the image normal) is kept exactly: the affine's
 * slice column follows the slice positions, so the affine is sheared, and a warning says so.
 *
 * <p>Decoding uses PixelMed (uncompressed in all byte orders, deflate, RLE), jai-imageio (JPEG 2000)
 * and PixelMed's image-I/O codec (JPEG lossless).
 */
package dev.ctshift.io.dicom;
