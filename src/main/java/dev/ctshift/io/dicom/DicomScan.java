package dev.ctshift.io.dicom;

import dev.ctshift.volume.Volume;
import java.util.List;
import java.util.Map;

/**
 * A CT series read by {@link DicomSeriesReader}: the HU volume plus the source facts a derived series
 * needs.
 *
 * @param volume HU values in DICOM pixel order (i = column, j = row, k = slice along the normal), RAS+
 *     affine; owned by the caller
 * @param series what the scan found about the series
 * @param studyInstanceUid the source StudyInstanceUID (empty if the files have none)
 * @param frameOfReferenceUid the source FrameOfReferenceUID (empty if none)
 * @param identity patient and study attributes by DICOM keyword (see {@link #IDENTITY_KEYWORDS}),
 *     values as read; absent keys were absent in the source
 * @param sliceThicknessMm the source SliceThickness, NaN if absent
 * @param sourceImages the image each slice k came from, {@code sourceImages.get(k)}
 * @param skipped files under the scanned path that were not used, with reasons
 */
public record DicomScan(
    Volume volume,
    SeriesInfo series,
    String studyInstanceUid,
    String frameOfReferenceUid,
    Map<String, String> identity,
    double sliceThicknessMm,
    List<SourceImage> sourceImages,
    List<SkippedFile> skipped) {

  /** The patient and study attributes a derived series copies from its source. */
  public static final List<String> IDENTITY_KEYWORDS = List.of(
      "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "PatientAge",
      "StudyDate", "StudyTime", "StudyID", "AccessionNumber", "ReferringPhysicianName",
      "StudyDescription", "PositionReferenceIndicator");

  public DicomScan {
    identity = Map.copyOf(identity);
    sourceImages = List.copyOf(sourceImages);
    skipped = List.copyOf(skipped);
    if (sourceImages.size() != volume.nz()) {
      throw new IllegalArgumentException(
          sourceImages.size() + " source images for " + volume.nz() + " slices");
    }
  }
}
