package dev.ctshift.evaluate;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder of scans with label maps, as {@code ctshift phantom} writes it: {@code <id>.nii.gz} (or
 * {@code .nii}) in HU and {@code <id>_labels.nii.gz} (or {@code .nii}) with integer labels on the same
 * grid. Only the folder itself is listed (not sub-folders); hidden files are ignored; scans are sorted
 * by id.
 */
public final class Cohort {
  private static final String LABELS = "_labels";

  /** One scan of the cohort and its label map. */
  public record Case(String id, Path scan, Path labels) {}

  private final Path dir;
  private final List<Case> cases;

  private Cohort(Path dir, List<Case> cases) {
    this.dir = dir;
    this.cases = List.copyOf(cases);
  }

  /**
   * Lists the cohort in {@code dir}.
   *
   * @throws VolumeReadException naming the folder if it does not exist, holds no scans, or some scans
   *     have no label map (all of them are named)
   */
  public static Cohort open(Path dir) throws VolumeReadException {
    if (!Files.isDirectory(dir)) {
      throw new VolumeReadException(dir + ": not a folder; give the folder of a cohort (<id>.nii.gz with"
          + " <id>_labels.nii.gz, as 'ctshift phantom' writes)");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new VolumeReadException(dir + ": cannot list the cohort folder: " + e.getMessage(), e);
    }
    List<Case> cases = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Path f : files) {
      String id = stem(f);
      if (id == null || id.endsWith(LABELS)) {
        continue;
      }
      Path labels = labelMap(dir, id);
      if (labels == null) {
        missing.add(f.getFileName().toString());
      } else {
        cases.add(new Case(id, f, labels));
      }
    }
    if (!missing.isEmpty()) {
      throw new VolumeReadException(dir + ": " + missing.size() + " scan(s) without a label map <id>_labels.nii.gz: "
          + String.join(", ", missing.subList(0, Math.min(10, missing.size()))) + (missing.size() > 10 ? ", …" : ""));
    }
    if (cases.isEmpty()) {
      throw new VolumeReadException(dir + ": no scans found: a cohort folder holds <id>.nii.gz (or .nii) with"
          + " <id>_labels.nii.gz, as 'ctshift phantom --out " + dir + "' writes");
    }
    return new Cohort(dir, cases);
  }

  public Path dir() {
    return dir;
  }

  /** The scans, sorted by id (unmodifiable). */
  public List<Case> cases() {
    return cases;
  }

  /**
   * The label map of a case as a mask of one label: true where the stored value rounds to
   * {@code label}.
   *
   * @throws VolumeReadException if the label map cannot be read or is not on {@code grid}'s voxel grid
   */
  public static boolean[] mask(Case c, int label, Volume grid) throws VolumeReadException {
    Volume labels = NiftiReader.readVolume(c.labels());
    if (!labels.sameGeometry(grid, 1e-3)) {
      throw new VolumeReadException(c.labels() + ": the label map " + labels + " is not on the grid of its scan "
          + c.scan().getFileName() + " " + grid + " (dims and affine must agree within 0.001 mm)");
    }
    float[] v = labels.data();
    boolean[] mask = new boolean[v.length];
    for (int i = 0; i < v.length; i++) {
      mask[i] = Math.round(v[i]) == label;
    }
    return mask;
  }

  private static Path labelMap(Path dir, String id) {
    for (String ext : new String[] {".nii.gz", ".nii"}) {
      Path p = dir.resolve(id + LABELS + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /** The id of a NIfTI file name ({@code a.nii.gz} → {@code a}), or null if it is not NIfTI. */
  private static String stem(Path p) {
    String name = p.getFileName().toString();
    for (String ext : new String[] {".nii.gz", ".nii"}) {
      if (name.endsWith(ext) && name.length() > ext.length()) {
        return name.substring(0, name.length() - ext.length());
      }
    }
    return null;
  }
}
