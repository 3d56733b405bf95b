package dev.ctshift.io.nifti;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * A NIfTI file as read by {@link NiftiReader}: one or more 3D frames (dim[4] of them) sharing one
 * geometry, plus the header facts needed to write a compatible file back (see
 * {@link NiftiWriter.Options#like(NiftiImage)}).
 *
 * <p>Voxel values are float32 with {@code scl_slope}/{@code scl_inter} already applied, i fastest
 * ({@code i + nx * (j + ny * k)}). The affine maps voxel indices to RAS+ millimetres. Frames returned
 * by {@link #volume(int)} wrap this image's arrays without copying; by the {@link Volume} convention
 * callers do not modify them.
 */
public final class NiftiImage {
  private final Path file;
  private final int version;
  private final ByteOrder byteOrder;
  private final int[] dims;
  private final double[][] affine;
  private final NiftiDatatype datatype;
  private final double sclSlope;
  private final double sclInter;
  private final String description;
  private final int xyztUnits;
  private final int qformCode;
  private final int sformCode;
  private final float[][] frames;
  private final List<String> warnings;

  NiftiImage(Path file, NiftiHeader h, int[] dims, double[][] affine, NiftiDatatype datatype,
      float[][] frames, List<String> warnings) {
    this.file = file;
    this.version = h.version();
    this.byteOrder = h.order();
    this.dims = dims.clone();
    this.affine = Affine.copyOf(affine);
    this.datatype = datatype;
    this.sclSlope = h.sclSlope();
    this.sclInter = h.sclInter();
    this.description = h.description();
    this.xyztUnits = h.xyztUnits();
    this.qformCode = h.qformCode();
    this.sformCode = h.sformCode();
    this.frames = frames;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * What the reader had to assume about the header, one sentence each: no qform or sform (orientation
   * unknown, RAS assumed), or negative voxel sizes (their absolute values used). Empty for a clean file.
   */
  public List<String> warnings() {
    return warnings;
  }

  /** The file this image was read from. */
  public Path file() {
    return file;
  }

  /** 1 for NIfTI-1, 2 for NIfTI-2. */
  public int version() {
    return version;
  }

  /** Byte order of the file. */
  public ByteOrder byteOrder() {
    return byteOrder;
  }

  /** Spatial size {@code {nx, ny, nz}} (dim[1..3]; missing dimensions are 1). */
  public int[] dims() {
    return dims.clone();
  }

  /** Number of 3D frames: dim[4], or 1 for a 3D file. */
  public int volumeCount() {
    return frames.length;
  }

  /**
   * Frame {@code t} (0-based) as a volume wrapping this image's data (no copy).
   *
   * @throws IndexOutOfBoundsException if {@code t} is not in {@code 0..volumeCount()-1}
   */
  public Volume volume(int t) {
    if (t < 0 || t >= frames.length) {
      throw new IndexOutOfBoundsException(
          "frame " + t + " out of range 0.." + (frames.length - 1) + " of " + file.getFileName());
    }
    return new Volume(dims[0], dims[1], dims[2], frames[t], affine);
  }

  /**
   * A copy of the voxel-to-RAS+ mm affine: the sform if {@link #sformCode()} > 0, else the qform if
   * {@link #qformCode()} > 0, else {@code diag(pixdim[1..3])} with origin 0.
   */
  public double[][] affine() {
    return Affine.copyOf(affine);
  }

  /** The stored voxel type. */
  public NiftiDatatype datatype() {
    return datatype;
  }

  /** {@code scl_slope} as stored (0 or NaN mean that no scaling was applied). */
  public double sclSlope() {
    return sclSlope;
  }

  /** {@code scl_inter} as stored. */
  public double sclInter() {
    return sclInter;
  }

  /** True if the stored values were scaled on reading ({@code scl_slope} finite and non-zero). */
  public boolean isScaled() {
    return NiftiReader.usesScaling(sclSlope);
  }

  /** The {@code descrip} field (up to 80 ASCII characters). */
  public String description() {
    return description;
  }

  /** The {@code xyzt_units} code as stored (e.g. 10 = mm and seconds, 2 = mm, 0 = unknown). */
  public int xyztUnits() {
    return xyztUnits;
  }

  /** The {@code qform_code} (0 = no qform, 1 = scanner, 2 = aligned, 3 = Talairach, 4 = MNI). */
  public int qformCode() {
    return qformCode;
  }

  /** The {@code sform_code} (same codes as {@link #qformCode()}). */
  public int sformCode() {
    return sformCode;
  }

  @Override
  public String toString() {
    return "NiftiImage[" + file.getFileName() + ", NIfTI-" + version + ", " + dims[0] + "x" + dims[1] + "x"
        + dims[2] + (frames.length > 1 ? "x" + frames.length : "") + ", " + datatype.name().toLowerCase(java.util.Locale.ROOT)
        + "]";
  }
}
