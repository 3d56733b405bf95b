package dev.ctshift.io.dicom;

import dev.ctshift.io.VolumeReadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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
    return candidates(Set.of());
  }

  /** The series that could be read as a volume when the modalities in {@code allowedModalities} are read as CT. */
  public List<SeriesInfo> candidates(Set<String> allowedModalities) {
    return series.stream().filter(s -> s.notCandidateReason(allowedModalities).isEmpty()).toList();
  }

  /** {@link #choose(String, Set, Consumer)} reading CT only. */
  public SeriesInfo choose(String seriesUid, Consumer<String> log) throws VolumeReadException {
    return choose(seriesUid, Set.of(), log);
  }

  /**
   * The series to read: the one with {@code seriesUid}, or when that is null the CT series with the
   * most images. Says which one and why through {@code log}. Series of a modality in
   * {@code allowedModalities} (upper case, {@code --allow-modality}) are read as if CT, when asked for by
   * UID or when there is no CT series, with a warning.
   *
   * @throws VolumeReadException if nothing DICOM was found, there is no CT series, the requested UID
   *     is absent or not CT, or the chosen series does not form a regular volume
   */
  public SeriesInfo choose(String seriesUid, Set<String> allowedModalities, Consumer<String> log)
      throws VolumeReadException {
    if (series.isEmpty()) {
      throw new VolumeReadException("no DICOM images found in " + root + skippedSummary());
    }
    SeriesInfo chosen;
    if (seriesUid != null) {
      chosen = series.stream().filter(s -> s.uid().equals(seriesUid)).findFirst().orElseThrow(
          () -> new VolumeReadException("series " + seriesUid + " is not in " + root
              + "; found: " + series.stream().map(SeriesInfo::label).collect(Collectors.joining(", "))));
      if (chosen.notCandidateReason(allowedModalities).isPresent()) {
        throw new VolumeReadException("series " + seriesUid + " in " + root + " cannot be used: "
            + chosen.notCandidateReason(allowedModalities).get());
      }
      log.accept("DICOM: using series " + describe(chosen) + " as requested");
    } else {
      List<SeriesInfo> ct = candidates();
      String kind = "CT";
      if (ct.isEmpty() && !allowedModalities.isEmpty()) {
        ct = candidates(allowedModalities);
        kind = String.join("/", new TreeSet<>(allowedModalities));
      }
      if (ct.isEmpty()) {
        throw new VolumeReadException("no CT series in " + root + "; found: " + series.stream()
            .map(s -> s.label() + " (" + s.notCandidateReason().orElse("") + ")")
            .collect(Collectors.joining(", ")) + skippedSummary());
      }
      SeriesInfo first = ct.get(0);
      chosen = first;
      long tied = ct.stream().filter(s -> s.imageCount() == first.imageCount()).count();
      String why = ct.size() == 1 ? "the only " + kind + " series"
          : tied > 1 ? String.format(Locale.ROOT, "%d of the %d %s series have the most images (%d); of"
              + " these, the first by SeriesInstanceUID; choose another by its UID", tied, ct.size(), kind,
              first.imageCount())
          : "the " + kind + " series with the most images of " + ct.size() + "; choose another by its UID";
      log.accept("DICOM: using series " + describe(chosen) + ": " + why);
    }
    for (SkippedFile f : skipped) {
      log.accept("DICOM: skipped " + f);
    }
    if (chosen.problem().isPresent()) {
      // A skipped file is often the reason for the problem (the missing slice, say): name it too.
      throw new VolumeReadException(chosen.problem().get() + skippedSummary());
    }
    if (!chosen.isCt()) {
      log.accept("DICOM: warning: series " + chosen.label() + " has modality " + chosen.modality()
          + ", read as CT because of --allow-modality; its values are still checked as HU");
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
