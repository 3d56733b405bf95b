package dev.ctshift.batch;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.dicom.DicomFolder;
import dev.ctshift.io.dicom.DicomScanner;
import dev.ctshift.io.dicom.SeriesInfo;
import dev.ctshift.io.dicom.SkippedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Finds the scans of a batch input.
 *
 * <ul>
 *   <li>A folder, searched recursively (hidden files and folders are ignored): every {@code *.nii} and
 *       {@code *.nii.gz} file is one scan, and every DICOM series is one scan, read from the deepest
 *       folder holding all its files. Series that are not images (no pixels, e.g. dose reports) and CT
 *       localizers are left out with a notice; series of another modality (MR, PET, ...) are kept and
 *       fail as "not CT", so they show in the summary.
 *   <li>A manifest ({@code *.csv}, {@code *.jsonl}; see {@link ManifestReader}): one scan per line,
 *       relative paths resolved against the manifest's folder.
 * </ul>
 *
 * Jobs are sorted by id, which is unique.
 */
public final class ScanPlanner {
  private ScanPlanner() {}

  /**
   * The scans of {@code input} (a folder or a manifest file).
   *
   * @param notices receives what was left out and why
   * @throws VolumeReadException if the input does not exist, is neither a folder nor a manifest, a
   *     manifest line is malformed, or a manifest lists a scan twice
   */
  public static List<ScanJob> plan(Path input, Consumer<String> notices) throws VolumeReadException {
    if (!Files.exists(input)) {
      throw new VolumeReadException(input + ": no such file or folder");
    }
    if (Files.isDirectory(input)) {
      return fromFolder(input, notices);
    }
    if (ManifestReader.isManifest(input)) {
      return fromManifest(input);
    }
    throw new VolumeReadException(input + ": a batch reads a folder, or a manifest named *.csv or *.jsonl"
        + " (columns path, target, series_uid); to explain one scan use 'ctshift explain'");
  }

  static List<ScanJob> fromFolder(Path root, Consumer<String> notices) throws VolumeReadException {
    List<ScanJob> jobs = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> Files.isRegularFile(p) && !hidden(root, p) && isNifti(p))
          .forEach(p -> jobs.add(ScanJob.of(relative(root, p), p, null, null)));
    } catch (IOException | UncheckedIOException e) {
      throw new VolumeReadException(root + ": cannot list the folder: " + e.getMessage(), e);
    }
    DicomFolder dicom = DicomScanner.scan(root);
    for (SeriesInfo s : dicom.series()) {
      Path folder = commonFolder(s.files());
      String where = "DICOM series " + DicomFolder.describe(s) + " in " + folder;
      if (hidden(root, folder)) {
        continue;
      }
      if (s.rows() <= 0 || s.columns() <= 0) {
        notices.accept("ignoring " + where + ": not an image series");
      } else if (s.isCt() && s.notCandidateReason().isPresent()) {
        notices.accept("ignoring " + where + ": " + s.notCandidateReason().get());
      } else {
        jobs.add(ScanJob.of(relative(root, folder), folder, s.uid(), null));
      }
    }
    List<SkippedFile> other = dicom.skipped().stream()
        .filter(f -> !isNifti(f.file()) && !hidden(root, f.file())).toList();
    if (!other.isEmpty()) {
      notices.accept("ignoring " + other.size() + " file(s) that are neither NIfTI nor DICOM images, e.g. "
          + other.get(0));
    }
    return sorted(jobs);
  }

  static List<ScanJob> fromManifest(Path manifest) throws VolumeReadException {
    Path base = manifest.toAbsolutePath().getParent();
    List<ScanJob> jobs = new ArrayList<>();
    Map<String, Integer> lineOf = new HashMap<>();
    for (ManifestReader.Entry e : ManifestReader.read(manifest)) {
      ScanJob job = ScanJob.of(e.path(), base.resolve(e.path()).normalize(), e.seriesUid(), e.target());
      Integer earlier = lineOf.putIfAbsent(job.id(), e.line());
      if (earlier != null) {
        throw new VolumeReadException(manifest + ":" + e.line() + ": the same scan as line " + earlier
            + " (" + job.id() + ")");
      }
      jobs.add(job);
    }
    return sorted(jobs);
  }

  private static List<ScanJob> sorted(List<ScanJob> jobs) {
    List<ScanJob> s = new ArrayList<>(jobs);
    s.sort(Comparator.comparing(ScanJob::id));
    Map<String, String> byName = new HashMap<>();
    for (ScanJob j : s) {
      String other = byName.putIfAbsent(j.name(), j.id());
      if (other != null) {
        throw new IllegalStateException("output name " + j.name() + " for both " + other + " and " + j.id());
      }
    }
    return List.copyOf(s);
  }

  static boolean isNifti(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".nii") || n.endsWith(".nii.gz");
  }

  private static boolean hidden(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      if (part.toString().startsWith(".") && !part.toString().equals(".") && !part.toString().equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static String relative(Path root, Path p) {
    String r = root.relativize(p).toString().replace('\\', '/');
    return r.isEmpty() ? "." : r;
  }

  /** The deepest folder holding all {@code files}. */
  static Path commonFolder(List<Path> files) {
    Path common = files.get(0).getParent();
    for (Path f : files) {
      while (!f.startsWith(common)) {
        common = common.getParent();
      }
    }
    return common;
  }
}
