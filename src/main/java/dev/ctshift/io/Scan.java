package dev.ctshift.io;

import dev.ctshift.io.dicom.DicomScan;
import dev.ctshift.volume.Volume;
import java.nio.file.Path;

/**
 * A scan as read from disk: its HU volume in its own geometry, plus what writing results back in the
 * same form needs.
 *
 * @param source the file or folder that was read
 * @param format how it was stored
 * @param hu voxel values in Hounsfield units, the scan's own grid and affine
 * @param integerValued whether the stored values were integers (results are then written as int16)
 * @param description one line for logs and reports, e.g. "NIfTI-1 int16 122x101x30, RAS"
 * @param dicom the DICOM source facts (study, patient, source images), null for NIfTI
 */
public record Scan(Path source, Format format, Volume hu, boolean integerValued, String description,
    DicomScan dicom) {

  /** Storage formats ctshift reads. */
  public enum Format { NIFTI, DICOM }
}
