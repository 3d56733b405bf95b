package dev.ctshift.io.dicom;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link DicomDerivedWriter} wrote.
 *
 * @param dir the series folder, one file per slice
 * @param files the slice files in volume order (k = 0 first)
 * @param notes what the caller should tell the user, e.g. that identity fields are empty
 */
public record DerivedSeries(
    Path dir,
    String studyInstanceUid,
    String seriesInstanceUid,
    String frameOfReferenceUid,
    List<Path> files,
    List<String> notes) {
  public DerivedSeries {
    files = List.copyOf(files);
    notes = List.copyOf(notes);
  }
}
