package dev.ctshift.io.nifti;

import dev.ctshift.io.FileSignature;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads single-file NIfTI-1 and NIfTI-2 images ({@code .nii}, or gzip-compressed {@code .nii.gz};
 * compression is recognised by its magic bytes, not by the name) of either byte order.
 *
 * <p>Supported voxel types are those of {@link NiftiDatatype}; values are converted to float32 after
 * applying {@code scl_slope}/{@code scl_inter} (a slope of 0 or NaN means no scaling). The affine is
 * chosen as the NIfTI standard orders it: sform if {@code sform_code > 0}, else qform if
 * {@code qform_code > 0}, else {@code diag(pixdim[1..3])} ("method 1"). It maps voxel indices to RAS+
 * millimetres; a file whose spatial unit is metres or microns is converted to millimetres. When
 * neither qform nor sform is set, or pixdim holds negative sizes, the assumption made is listed in
 * {@link NiftiImage#warnings()}.
 *
 * <pre>{@code
 * Volume ct = NiftiReader.readVolume(Path.of("scan.nii.gz"));
 * NiftiImage series = NiftiReader.read(Path.of("sweep.nii.gz"));   // 4D: series.volume(t)
 * }</pre>
 *
 * <p>Every failure (missing file, not NIfTI, truncated or corrupt data, absurd dimensions, unsupported
 * type, I/O error) is a {@link VolumeReadException} whose message names the file and the problem.
 */
public final class NiftiReader {
  /** Largest number of voxels over all frames; one frame must also fit a Java array. */
  static final long MAX_VOXELS = Integer.MAX_VALUE - 8;

  private static final int CHUNK_BYTES = 1 << 20;

  /** Deflate's largest possible compression ratio (about 1032:1). */
  private static final long MAX_DEFLATE_RATIO = 1032;

  private NiftiReader() {}

  /** Reads all frames and the header facts of a NIfTI file. */
  public static NiftiImage read(Path file) throws VolumeReadException {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new VolumeReadException(name + ": is a directory, expected a .nii or .nii.gz file");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
      return read(file, in, Files.size(file), gzip);
    } catch (NoSuchFileException e) {
      throw new VolumeReadException(name + ": file not found", e);
    } catch (AccessDeniedException e) {
      throw new VolumeReadException(name + ": permission denied", e);
    } catch (EOFException e) {
      throw new VolumeReadException(name + ": truncated: the file ends before the voxel data is complete", e);
    } catch (ZipException e) {
      throw new VolumeReadException(name + ": corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new VolumeReadException(
          name + ": cannot read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads a 3D file (or a 4D file with a single frame) as a volume.
   *
   * @throws VolumeReadException also if the file holds more than one frame; use
   *     {@link #readVolume(Path, int)} to pick one
   */
  public static Volume readVolume(Path file) throws VolumeReadException {
    NiftiImage image = read(file);
    if (image.volumeCount() > 1) {
      throw new VolumeReadException(file + ": is a 4D series of " + image.volumeCount()
          + " volumes (dim[4]); choose one frame, or read it as a series");
    }
    return image.volume(0);
  }

  /** Reads frame {@code frame} (0-based) of a 3D or 4D file. */
  public static Volume readVolume(Path file, int frame) throws VolumeReadException {
    NiftiImage image = read(file);
    if (frame < 0 || frame >= image.volumeCount()) {
      throw new VolumeReadException(file + ": has " + image.volumeCount() + " volume(s), frame " + frame
          + " is out of range 0.." + (image.volumeCount() - 1));
    }
    return image.volume(frame);
  }

  /** True if {@code scl_slope} asks for scaling: finite and non-zero. */
  static boolean usesScaling(double slope) {
    return slope != 0 && Double.isFinite(slope);
  }

  private static NiftiImage read(Path file, InputStream in, long fileSize, boolean gzip)
      throws IOException, VolumeReadException {
    String name = file.toString();
    byte[] header = in.readNBytes(NiftiHeader.NIFTI1_SIZE);
    ByteOrder order = header.length < 4 ? null : NiftiHeader.detectOrder(header);
    if (order == null) {
      throw new VolumeReadException(name + ": not a NIfTI file (the header size field is not 348 or 540): "
          + (gzip ? "gzip-compressed, " : "") + FileSignature.ofHead(header).description());
    }
    int size = ByteBuffer.wrap(header).order(order).getInt();
    if (size == NiftiHeader.NIFTI2_SIZE && header.length == NiftiHeader.NIFTI1_SIZE) {
      byte[] rest = in.readNBytes(size - header.length);
      header = Arrays.copyOf(header, header.length + rest.length);
      System.arraycopy(rest, 0, header, NiftiHeader.NIFTI1_SIZE, rest.length);
    }
    if (header.length < size) {
      throw new VolumeReadException(name + ": too short to be a NIfTI file (the header needs " + size
          + " bytes, the file has " + header.length + ")");
    }
    NiftiHeader h = NiftiHeader.parse(header, order, name);
    long[] shape = checkDims(h, name);
    NiftiDatatype type = NiftiDatatype.ofCode(h.datatypeCode());
    if (type == null) {
      throw new VolumeReadException(name + ": unsupported NIfTI datatype code " + h.datatypeCode() + " ("
          + NiftiDatatype.describe(h.datatypeCode()) + "); supported: "
          + Arrays.toString(NiftiDatatype.values()).toLowerCase(java.util.Locale.ROOT));
    }
    long offset = checkOffset(h, size, name);
    List<String> warnings = new ArrayList<>();
    double[][] affine = affineOf(h, name, warnings);

    int perFrame = (int) (shape[0] * shape[1] * shape[2]);
    int frames = (int) shape[3];
    long dataBytes = (long) perFrame * frames * type.bytes();
    String layout = shape[0] + "x" + shape[1] + "x" + shape[2] + (frames > 1 ? "x" + frames : "") + " "
        + type.name().toLowerCase(java.util.Locale.ROOT);
    if (!gzip && fileSize < offset + dataBytes) {
      throw new VolumeReadException(name + ": truncated: " + layout + " needs " + dataBytes
          + " bytes of voxel data from offset " + offset + ", but the file has only "
          + Math.max(0, fileSize - offset));
    }
    if (gzip && offset + dataBytes > MAX_DEFLATE_RATIO * fileSize + 1024) {
      // Checked before allocating, so absurd dims in a small file fail fast instead of filling the heap.
      throw new VolumeReadException(name + ": truncated or corrupt: " + layout + " needs " + dataBytes
          + " bytes of voxel data, more than a " + fileSize + "-byte gzip file can hold");
    }
    long heapNeeded = 4L * perFrame * frames;
    if (heapNeeded > Runtime.getRuntime().maxMemory()) {
      throw new VolumeReadException(name + ": " + layout + " needs " + (heapNeeded >> 20)
          + " MB as float32, more than the Java heap limit of " + (Runtime.getRuntime().maxMemory() >> 20)
          + " MB; raise it with -Xmx");
    }
    in.skipNBytes(offset - size); // extensions, if any

    float[][] data = new float[frames][];
    byte[] chunk = new byte[CHUNK_BYTES];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(order);
    int chunkVoxels = CHUNK_BYTES / type.bytes();
    long readBytes = 0;
    boolean scaled = usesScaling(h.sclSlope());
    double slope = scaled ? h.sclSlope() : 1;
    double inter = scaled && Double.isFinite(h.sclInter()) ? h.sclInter() : 0;
    for (int t = 0; t < frames; t++) {
      float[] dst = new float[perFrame];
      for (int pos = 0; pos < perFrame; pos += chunkVoxels) {
        int n = Math.min(chunkVoxels, perFrame - pos);
        int got = in.readNBytes(chunk, 0, n * type.bytes());
        readBytes += got;
        if (got < n * type.bytes()) {
          throw new VolumeReadException(name + ": truncated: " + layout + " needs " + dataBytes
              + " bytes of voxel data, but the data ends after " + readBytes + " of them");
        }
        decode(buf, type, n, dst, pos, slope, inter);
      }
      data[t] = dst;
    }
    int[] dims = {(int) shape[0], (int) shape[1], (int) shape[2]};
    return new NiftiImage(file, h, dims, affine, type, data, warnings);
  }

  /** {nx, ny, nz, nt} after checking dim[0..7]; unused dimensions are 1. */
  private static long[] checkDims(NiftiHeader h, String name) throws VolumeReadException {
    long[] dim = h.dim();
    if (dim[0] < 1 || dim[0] > 7) {
      throw new VolumeReadException(name + ": invalid dims: dim[0] = " + dim[0]
          + " must be 1..7 (dim = " + Arrays.toString(dim) + "); the header is corrupt");
    }
    long[] used = new long[7];
    long total = 1;
    for (int i = 1; i <= 7; i++) {
      used[i - 1] = i <= dim[0] ? dim[i] : 1;
      if (used[i - 1] <= 0) {
        throw new VolumeReadException(name + ": invalid dims: dim[" + i + "] = " + dim[i]
            + " must be positive (dim = " + Arrays.toString(dim) + ")");
      }
      if (i >= 5 && used[i - 1] > 1) {
        throw new VolumeReadException(name + ": has " + dim[0] + " dimensions (dim = "
            + Arrays.toString(dim) + "); only 3D volumes and 4D series are supported");
      }
      if (used[i - 1] > MAX_VOXELS / total) {
        throw new VolumeReadException(name + ": invalid dims: " + Arrays.toString(dim)
            + " give more than " + MAX_VOXELS + " voxels");
      }
      total *= used[i - 1];
    }
    return new long[] {used[0], used[1], used[2], used[3]};
  }

  private static long checkOffset(NiftiHeader h, int headerSize, String name) throws VolumeReadException {
    double v = h.voxOffset();
    long min = headerSize + 4L; // header plus the 4-byte extension flag
    if (!(v >= min) || v != Math.rint(v)) {
      throw new VolumeReadException(name + ": invalid vox_offset " + v + ": the voxel data of a NIfTI-"
          + h.version() + " file must start at a whole byte offset of at least " + min);
    }
    return (long) v;
  }

  /** The voxel-to-RAS+ mm affine; what had to be assumed to get it is added to {@code warnings}. */
  private static double[][] affineOf(NiftiHeader h, String name, List<String> warnings)
      throws VolumeReadException {
    double[][] a;
    String source;
    if (h.sformCode() > 0) {
      source = "sform";
      a = Affine.identity();
      for (int r = 0; r < 3; r++) {
        a[r] = h.srow()[r].clone();
      }
    } else {
      double[] size = new double[3];
      for (int i = 0; i < 3; i++) {
        size[i] = Math.abs(h.pixdim()[i + 1]);
        if (!(size[i] > 0) || Double.isInfinite(size[i])) {
          throw new VolumeReadException(name + ": invalid voxel size pixdim[" + (i + 1) + "] = "
              + h.pixdim()[i + 1] + " (no sform, so the voxel size comes from pixdim)");
        }
      }
      double[] stored = Arrays.copyOfRange(h.pixdim(), 1, 4);
      if (stored[0] < 0 || stored[1] < 0 || stored[2] < 0) {
        // The standard wants them positive; like nibabel's header fix, the sizes are taken as given
        // but without sign (a flip belongs in the qform's qfac or the sform, not here).
        warnings.add("negative voxel size pixdim[1..3] = " + Arrays.toString(stored)
            + "; used as " + Arrays.toString(size) + " mm, without the sign");
      }
      if (h.qformCode() > 0) {
        source = "qform";
        double qfac = h.pixdim()[0] < 0 ? -1 : 1;
        a = NiftiGeometry.qformToAffine(new NiftiGeometry.Qform(
            h.quatern()[0], h.quatern()[1], h.quatern()[2], qfac, size, h.qoffset()));
      } else {
        source = "pixdim";
        a = Affine.ofSpacing(size[0], size[1], size[2]);
        warnings.add("qform_code and sform_code are both 0, so the file does not say how it lies in"
            + " the body; assumed: voxel axes i, j, k along R, A, S (orientation RAS) with spacing "
            + Arrays.toString(size) + " mm (NIfTI method 1). If left-right matters, fix the header");
      }
    }
    double toMm = switch (h.xyztUnits() & 7) {
      case 1 -> 1000; // metres
      case 3 -> 0.001; // microns
      default -> 1; // millimetres, or unknown (taken as millimetres)
    };
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        a[r][c] *= toMm;
        if (!Double.isFinite(a[r][c])) {
          throw new VolumeReadException(name + ": invalid " + source + " affine (not finite): "
              + Affine.toString(a));
        }
      }
    }
    if (Math.abs(Affine.det3(a)) < 1e-12) {
      throw new VolumeReadException(name + ": invalid " + source + " affine (singular): " + Affine.toString(a));
    }
    return a;
  }

  /** Converts {@code n} stored values from {@code buf} into {@code dst[off..]}, applying the scaling. */
  private static void decode(ByteBuffer buf, NiftiDatatype type, int n, float[] dst, int off,
      double slope, double inter) {
    boolean scaled = slope != 1 || inter != 0;
    for (int i = 0; i < n; i++) {
      double v = switch (type) {
        case UINT8 -> buf.get(i) & 0xff;
        case INT8 -> buf.get(i);
        case INT16 -> buf.getShort(2 * i);
        case UINT16 -> buf.getShort(2 * i) & 0xffff;
        case INT32 -> buf.getInt(4 * i);
        case UINT32 -> buf.getInt(4 * i) & 0xffffffffL;
        case FLOAT32 -> buf.getFloat(4 * i);
        case FLOAT64 -> buf.getDouble(8 * i);
      };
      dst[off + i] = (float) (scaled ? v * slope + inter : v);
    }
  }
}
