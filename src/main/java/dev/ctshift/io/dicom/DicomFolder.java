package dev.ctshift.io.dicom;

import dev.ctshift.io.VolumeReadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The result of {@link DicomScanner#scan}: the series found under a path and the files that were
 * skipped. Series are ordered: CT candidates first, most images first. Immutable.
 */
public record DicomFolder(Path root, List<SeriesInfo> series, List<SkippedFile> skipped) {
  public DicomFolder {
    series = List.copyOf(series);
    skipped = List.copyOf(skipped);
  }

  /** The CT series that could be read as a volume (by modality and image type; problems aside). */
  public List<SeriesInfo> candidates() {
    return series.stream().filter(s -> s.notCandidateReason().isEmpty()).toList();
  }

  /**
   * The series to read: the one with {@code seriesUid}, or when that is null the CT series with the
   * most images. Says which one and why through {@code log}.
   *
   * @throws VolumeReadException if nothing DICOM was found, there is no CT series, the requested UID
   *     is absent or not CT, or the chosen series does not form a regular volume
   */
  public SeriesInfo choose(String seriesUid, Consumer<String> log) throws VolumeReadException {
    if (series.isEmpty()) {
      throw new VolumeReadException("no DICOM images found in " + root + skippedSummary());
    }
    SeriesInfo chosen;
    if (seriesUid != null) {
      chosen = series.stream().filter(s -> s.uid().equals(seriesUid)).findFirst().orElseThrow(
          () -> new VolumeReadException("series " + seriesUid + " is not in " + root
              + "; found: " + series.stream().map(SeriesInfo::label).collect(Collectors.joining(", "))));
      if (chosen.notCandidateReason().isPresent()) {
        throw new VolumeReadException("series " + seriesUid + " in " + root + " cannot be used: "
            + chosen.notCandidateReason().get());
      }
      log.accept("DICOM: using series " + describe(chosen) + " as requested");
    } else {
      List<SeriesInfo> ct = candidates();
      if (ct.isEmpty()) {
        throw new VolumeReadException("no CT series in " + root + "; found: " + series.stream()
            .map(s -> s.label() + " (" + s.notCandidateReason().orElse("") + ")")
            .collect(Collectors.joining(", ")) + skippedSummary());
      }
      SeriesInfo first = ct.get(0);
      chosen = first;
      long tied = ct.stream().filter(s -> s.imageCount() == first.imageCount()).count();
      String why = ct.size() == 1 ? "the only CT series"
          : tied > 1 ? String.format(Locale.ROOT, "%d of the %d CT series have the most images (%d); of"
              + " these, the first by SeriesInstanceUID; choose another by its UID", tied, ct.size(),
              first.imageCount())
          : "the CT series with the most images of " + ct.size() + "; choose another by its UID";
      log.accept("DICOM: using series " + describe(chosen) + ": " + why);
    }
    for (SkippedFile f : skipped) {
      log.accept("DICOM: skipped " + f);
    }
    if (chosen.problem().isPresent()) {
      // A skipped file is often the reason for the problem (the missing slice, say): name it too.
      throw new VolumeReadException(chosen.problem().get() + skippedSummary());
    }
    for (String w : chosen.warnings()) {
      log.accept("DICOM: warning: " + w);
    }
    return chosen;
  }

  /** UID, modality, description and number of images, e.g. {@code 1.2.3 (CT, 'Body 3.0', 20 images)}. */
  public static String describe(SeriesInfo s) {
    return String.format(Locale.ROOT, "%s (%s, '%s', %d images)", s.label(), s.modality(),
        s.description(), s.imageCount());
  }

  private String skippedSummary() {
    return skipped.isEmpty() ? "" : " (" + skipped.size() + " files skipped, e.g. " + skipped.get(0) + ")";
  }
}
