package dev.ctshift.io.dicom;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Affine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The slices of one series sorted along the image normal and checked for a regular grid, with the
 * voxel-to-RAS+ affine they imply. Built from headers only, so a folder can be checked without
 * decoding pixels.
 */
final class SliceStack {
  /** Slices closer than this along the normal count as the same position. */
  static final double SAME_POSITION_MM = 0.01;
  /** Allowed deviation of a slice step from the mean step: 1% of the spacing, at least 0.01 mm. */
  static final double SPACING_TOLERANCE = 0.01;
  /** Direction cosines that differ by less than this count as the same orientation. */
  static final double ORIENTATION_TOLERANCE = 1e-4;
  /** Angles (degrees) between the slice step and the normal above this are reported as a tilt. */
  static final double TILT_DEGREES = 0.01;
  /** Direction cosine vectors shorter than this count as zero (the standard wants unit vectors). */
  static final double MIN_DIRECTION_NORM = 1e-3;
  /** Row and column directions whose angle's cosine exceeds this are not perpendicular (~0.6 degrees off). */
  static final double MAX_DIRECTION_COSINE = 0.01;

  private final List<SliceHeader> slices;
  private final double[][] affineRas;
  private final List<String> warnings;

  private SliceStack(List<SliceHeader> slices, double[][] affineRas, List<String> warnings) {
    this.slices = slices;
    this.affineRas = affineRas;
    this.warnings = warnings;
  }

  /** Slices in volume order (k = 0 first). */
  List<SliceHeader> slices() {
    return slices;
  }

  double[][] affineRas() {
    return Affine.copyOf(affineRas);
  }

  /** Warnings about dropped duplicates or a gantry tilt. */
  List<String> warnings() {
    return warnings;
  }

  /**
   * Sorts and checks the slices of the series {@code label}.
   *
   * @throws VolumeReadException naming the files involved if the slices do not form a regular grid
   */
  static SliceStack of(String label, List<SliceHeader> input) throws VolumeReadException {
    if (input.isEmpty()) {
      throw new VolumeReadException("series " + label + " has no images");
    }
    SliceHeader first = input.get(0);
    for (SliceHeader s : input) {
      if (s.rows() <= 0 || s.columns() <= 0) {
        throw new VolumeReadException(s.where() + ": no image size (Rows/Columns) in series " + label);
      }
      String missing = s.position() == null ? "ImagePositionPatient"
          : s.orientation() == null ? "ImageOrientationPatient"
          : s.pixelSpacing() == null ? "PixelSpacing" : null;
      if (missing != null) {
        throw new VolumeReadException(s.where() + ": no " + missing + " in series " + label
            + ", so its place in the volume is unknown");
      }
      checkGeometry(label, s);
      if (s.rows() != first.rows() || s.columns() != first.columns()) {
        throw new VolumeReadException(String.format(Locale.ROOT,
            "series %s mixes image sizes: %dx%d in %s but %dx%d in %s", label, first.columns(),
            first.rows(), first.where(), s.columns(), s.rows(), s.where()));
      }
      if (maxDiff(s.orientation(), first.orientation()) > ORIENTATION_TOLERANCE) {
        throw new VolumeReadException("series " + label + " mixes image orientations: "
            + vec(first.orientation()) + " in " + first.where() + " but " + vec(s.orientation())
            + " in " + s.where());
      }
      if (maxDiff(s.pixelSpacing(), first.pixelSpacing()) > 1e-4) {
        throw new VolumeReadException("series " + label + " mixes pixel spacings: "
            + vec(first.pixelSpacing()) + " mm in " + first.where() + " but "
            + vec(s.pixelSpacing()) + " mm in " + s.where());
      }
    }
    double[] row = unit(first.orientation(), 0);
    double[] col = unit(first.orientation(), 3);
    double[] normal = cross(row, col);

    List<SliceHeader> sorted = new ArrayList<>(input);
    // Ties broken by file and frame so the slice kept among duplicates does not depend on walk order.
    sorted.sort(Comparator.<SliceHeader>comparingDouble(s -> dot(s.position(), normal))
        .thenComparing(s -> s.file().toString())
        .thenComparingInt(SliceHeader::frame));
    List<String> warnings = new ArrayList<>();
    List<SliceHeader> kept = new ArrayList<>();
    List<String> duplicates = new ArrayList<>();
    for (SliceHeader s : sorted) {
      SliceHeader last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
      if (last != null && dot(s.position(), normal) - dot(last.position(), normal) < SAME_POSITION_MM) {
        if (distance(s.position(), last.position()) > SAME_POSITION_MM) {
          throw new VolumeReadException("series " + label + " has two slices at the same height but "
              + "shifted in plane: " + vec(last.position()) + " in " + last.where() + " and "
              + vec(s.position()) + " in " + s.where());
        }
        warnings.add("dropped duplicate slice " + s.where() + ": same position " + vec(s.position())
            + " as " + last.where());
        duplicates.add(s.where() + " and " + last.where() + " at " + vec(s.position()));
        continue;
      }
      kept.add(s);
    }

    int n = kept.size();
    double[] step;
    if (n == 1) {
      double t = first.sliceThickness() > 0 ? first.sliceThickness() : 1.0;
      step = scale(normal, t);
    } else {
      step = scale(minus(kept.get(n - 1).position(), kept.get(0).position()), 1.0 / (n - 1));
      checkSteps(label, kept, duplicates, normal, step);
      double along = dot(step, normal);
      double tilt = Math.toDegrees(Math.acos(Math.min(1.0, along / norm(step))));
      if (tilt > TILT_DEGREES) {
        warnings.add(String.format(Locale.ROOT, "series %s is tilted by %.2f degrees (gantry tilt): "
            + "the affine is sheared so that every slice stays at its DICOM position", label, tilt));
      }
    }
    double[][] lps = Affine.identity();
    double rowSpacing = first.pixelSpacing()[0];
    double colSpacing = first.pixelSpacing()[1];
    for (int r = 0; r < 3; r++) {
      lps[r][0] = row[r] * colSpacing;
      lps[r][1] = col[r] * rowSpacing;
      lps[r][2] = step[r];
      lps[r][3] = kept.get(0).position()[r];
    }
    return new SliceStack(List.copyOf(kept), lpsToRas(lps), List.copyOf(warnings));
  }

  /**
   * Fails unless the slice's position is finite, its pixel spacing positive and its orientation two
   * perpendicular non-zero directions: without them the affine would be singular or undefined.
   */
  private static void checkGeometry(String label, SliceHeader s) throws VolumeReadException {
    String problem = null;
    double[] sp = s.pixelSpacing();
    double[] o = s.orientation();
    if (!(sp[0] > 0 && sp[1] > 0 && Double.isFinite(sp[0]) && Double.isFinite(sp[1]))) {
      problem = "PixelSpacing " + vec(sp) + " mm: both must be positive";
    } else if (!allFinite(s.position())) {
      problem = "ImagePositionPatient " + vec(s.position()) + " is not a finite position";
    } else if (!allFinite(o)) {
      problem = "ImageOrientationPatient " + vec(o) + " is not finite";
    } else {
      double[] row = {o[0], o[1], o[2]};
      double[] col = {o[3], o[4], o[5]};
      if (norm(row) < MIN_DIRECTION_NORM || norm(col) < MIN_DIRECTION_NORM) {
        problem = "ImageOrientationPatient " + vec(o) + " has a zero direction (row and column"
            + " direction cosines must be unit vectors)";
      } else if (Math.abs(dot(row, col)) / (norm(row) * norm(col)) > MAX_DIRECTION_COSINE) {
        problem = "ImageOrientationPatient " + vec(o) + ": the row and column directions are not"
            + " perpendicular";
      }
    }
    if (problem != null) {
      throw new VolumeReadException(s.where() + ": invalid geometry in series " + label + ": " + problem
          + ", so the image cannot be placed in the volume");
    }
  }

  private static boolean allFinite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** Fails on a gap (missing slices) or on any step that differs from the typical step. */
  private static void checkSteps(String label, List<SliceHeader> kept, List<String> duplicates,
      double[] normal, double[] mean) throws VolumeReadException {
    double[] steps = new double[kept.size() - 1];
    for (int k = 0; k < steps.length; k++) {
      steps[k] = dot(kept.get(k + 1).position(), normal) - dot(kept.get(k).position(), normal);
    }
    // The median, not the mean, is the typical step when slices are missing.
    double[] sortedSteps = steps.clone();
    Arrays.sort(sortedSteps);
    double median = sortedSteps[sortedSteps.length / 2];
    double tol = Math.max(0.01, SPACING_TOLERANCE * median);
    for (int k = 0; k < steps.length; k++) {
      if (steps[k] - median > tol && steps[k] > 1.5 * median) {
        SliceHeader a = kept.get(k);
        SliceHeader b = kept.get(k + 1);
        if (!duplicates.isEmpty()) {
          // A slice given another slice's position leaves a hole where it belongs: name both facts.
          throw new VolumeReadException(String.format(Locale.ROOT,
              "series %s has a duplicate slice position: %s; and no slice between %s (at %s) and %s "
                  + "(at %s), a gap of %.3f mm where the other slices are %.3f mm apart. A slice "
                  + "position is probably wrong", label, String.join("; ", duplicates), a.where(),
              vec(a.position()), b.where(), vec(b.position()), steps[k], median));
        }
        throw new VolumeReadException(String.format(Locale.ROOT,
            "series %s is missing slices: gap of %.3f mm between %s (at %s) and %s (at %s), "
                + "where the other slices are %.3f mm apart", label, steps[k], a.where(),
            vec(a.position()), b.where(), vec(b.position()), median));
      }
    }
    for (int k = 0; k < steps.length; k++) {
      if (Math.abs(steps[k] - median) > tol) {
        throw new VolumeReadException(String.format(Locale.ROOT,
            "series %s has uneven slice spacing: %.3f mm from %s (at %s) to %s (at %s), where the "
                + "other slices are %.3f mm apart (tolerance %.3f mm)", label, steps[k],
            kept.get(k).where(), vec(kept.get(k).position()), kept.get(k + 1).where(),
            vec(kept.get(k + 1).position()), median, tol));
      }
    }
    // Equal spacing along the normal, but the in-plane shift per slice must be constant too.
    for (int k = 0; k < steps.length; k++) {
      double[] d = minus(kept.get(k + 1).position(), kept.get(k).position());
      if (distance(d, mean) > tol) {
        throw new VolumeReadException(String.format(Locale.ROOT,
            "series %s has uneven slice positions: step %s mm from %s to %s, but %s mm on average "
                + "(tolerance %.3f mm)", label, vec(d), kept.get(k).where(), kept.get(k + 1).where(),
            vec(mean), tol));
      }
    }
  }

  /** DICOM LPS to RAS+: negate the x and y rows. */
  static double[][] lpsToRas(double[][] lps) {
    double[][] ras = Affine.copyOf(lps);
    for (int c = 0; c < 4; c++) {
      ras[0][c] = -ras[0][c];
      ras[1][c] = -ras[1][c];
    }
    return ras;
  }

  static double[] unit(double[] v, int offset) {
    double[] u = {v[offset], v[offset + 1], v[offset + 2]};
    return scale(u, 1.0 / norm(u));
  }

  static double[] cross(double[] a, double[] b) {
    return new double[] {
      a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]
    };
  }

  static double dot(double[] a, double[] b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  static double[] scale(double[] a, double s) {
    return new double[] {a[0] * s, a[1] * s, a[2] * s};
  }

  static double[] minus(double[] a, double[] b) {
    return new double[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
  }

  private static double distance(double[] a, double[] b) {
    return norm(minus(a, b));
  }

  private static double maxDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  static String vec(double[] v) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v[i]));
    }
    return sb.append(')').toString();
  }
}
