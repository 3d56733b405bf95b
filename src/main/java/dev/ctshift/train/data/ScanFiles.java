package dev.ctshift.train.data;

import dev.ctshift.io.VolumeReadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds NIfTI scans ({@code *.nii}, {@code *.nii.gz}) in folders, recursively, and their label maps.
 * A file whose name ends in {@code _labels.nii[.gz]} or {@code -labels.nii[.gz]} is a label map, not
 * a scan; the label map of scan {@code <id>.nii.gz} is {@code <id>_labels.nii.gz} next to it.
 */
public final class ScanFiles {
  private ScanFiles() {}

  /**
   * The scans under {@code roots} (folders, or single scan files), sorted by path, without label
   * maps and without duplicates.
   *
   * @throws VolumeReadException if a root does not exist or cannot be listed, or no scan is found
   */
  public static List<Path> find(List<Path> roots) throws VolumeReadException {
    List<Path> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.exists(root)) {
        throw new VolumeReadException(root + ": no such file or folder");
      }
      if (Files.isRegularFile(root)) {
        found.add(root.normalize());
        continue;
      }
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).filter(ScanFiles::isScan).map(Path::normalize).forEach(found::add);
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new VolumeReadException(root + ": cannot list the folder: " + e.getMessage(), e);
      }
    }
    List<Path> sorted = found.stream().distinct().sorted().toList();
    if (sorted.isEmpty()) {
      throw new VolumeReadException(roots + ": no NIfTI scans (*.nii, *.nii.gz) found");
    }
    return sorted;
  }

  /** A NIfTI file that is not a label map. */
  public static boolean isScan(Path file) {
    return isNifti(file) && !isLabelMap(file);
  }

  /** A NIfTI file named {@code *_labels.nii[.gz]} or {@code *-labels.nii[.gz]}. */
  public static boolean isLabelMap(Path file) {
    String stem = id(file);
    return isNifti(file) && (stem.endsWith("_labels") || stem.endsWith("-labels"));
  }

  /** The file name without {@code .nii} or {@code .nii.gz}, e.g. {@code phantom_00001}. */
  public static String id(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".nii.gz")) {
      return name.substring(0, name.length() - ".nii.gz".length());
    }
    return name.endsWith(".nii") ? name.substring(0, name.length() - ".nii".length()) : name;
  }

  /** {@code <id>_labels.nii.gz} beside the scan (whether or not it exists). */
  public static Path labelMapOf(Path scan) {
    return scan.resolveSibling(id(scan) + "_labels.nii.gz");
  }

  private static boolean isNifti(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".nii") || name.endsWith(".nii.gz");
  }
}
