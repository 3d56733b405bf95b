package dev.ctshift.io.dicom;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomFileUtilities;
import com.pixelmed.dicom.TagFromName;
import dev.ctshift.io.VolumeReadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds DICOM series under a folder (recursively) or in a single file, reading headers only.
 *
 * <pre>{@code
 * DicomFolder found = DicomScanner.scan(Path.of("scan/"));
 * SeriesInfo s = found.choose(null, System.err::println);
 * }</pre>
 */
public final class DicomScanner {
  private static final String MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10";

  private DicomScanner() {}

  /**
   * Scans {@code path}: every regular file below a folder, or the one file given. Files that are not
   * DICOM or cannot be parsed are listed in {@link DicomFolder#skipped()}, never fatal.
   *
   * @throws VolumeReadException if the path does not exist or the folder cannot be listed
   */
  public static DicomFolder scan(Path path) throws VolumeReadException {
    if (!Files.exists(path)) {
      throw new VolumeReadException(path + ": no such file or folder");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(path)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new VolumeReadException(path + ": cannot list the folder: " + e.getMessage(), e);
    }
    Map<String, List<SliceHeader>> bySeries = new LinkedHashMap<>();
    List<SkippedFile> skipped = new ArrayList<>();
    for (Path file : files) {
      String reason = readInto(file, bySeries);
      if (reason != null) {
        skipped.add(new SkippedFile(file, reason));
      }
    }
    List<SeriesInfo> series = new ArrayList<>();
    bySeries.forEach((uid, slices) -> series.add(new SeriesInfo(uid, slices)));
    series.sort(Comparator.comparing((SeriesInfo s) -> s.notCandidateReason().isPresent())
        .thenComparing(Comparator.comparingInt(SeriesInfo::imageCount).reversed())
        .thenComparing(SeriesInfo::uid));
    return new DicomFolder(path, series, skipped);
  }

  /** Adds the file's slices to their series; returns why the file was skipped, or null. */
  private static String readInto(Path file, Map<String, List<SliceHeader>> bySeries) {
    try {
      if (!DicomFileUtilities.isDicomOrAcrNemaFile(file.toFile())) {
        return "not a DICOM file";
      }
      try {
        ElementLengthCheck.check(file);
      } catch (IOException e) {
        return "corrupt: " + e.getMessage();
      }
      AttributeList header = new AttributeList();
      header.read(file.toFile(), TagFromName.PixelData);
      if (MEDIA_STORAGE_DIRECTORY.equals(SliceHeader.string(header, TagFromName.MediaStorageSOPClassUID))) {
        return "DICOMDIR (a directory index, not an image)";
      }
      if (header.get(TagFromName.SOPInstanceUID) == null
          && header.get(TagFromName.MediaStorageSOPInstanceUID) == null) {
        return "no SOP Instance UID: cut short or not a DICOM object";
      }
      List<SliceHeader> slices = SliceHeader.of(file, header);
      bySeries.computeIfAbsent(slices.get(0).seriesUid(), k -> new ArrayList<>()).addAll(slices);
      return null;
    } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
      return "cannot be parsed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
  }
}
