package dev.ctshift.io.nifti;

import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;

/**
 * Writes volumes as single-file little-endian NIfTI-1, gzip-compressed when the file name ends in
 * {@code .gz}.
 *
 * <p>The header carries both an sform (the volume's affine, exactly up to float32 precision) and a
 * qform (its closest rotation, voxel sizes and qfac = -1 for left-handed grids), with the code of
 * {@link Options#xformCode()}, so that any viewer overlays the output on the input. Spatial units are
 * millimetres. Values are stored as {@code (value - sclInter) / sclSlope}; integer types round to the
 * nearest value (ties to even), clamp to the type's range and store NaN as 0.
 *
 * <p>Writing is atomic: the data goes to a hidden temporary file in the target directory that is then
 * moved over the target, so a failed write leaves no partial output (and an existing file untouched).
 *
 * <pre>{@code
 * NiftiWriter.write(Path.of("cf.nii.gz"), counterfactual, NiftiWriter.Options.defaults());
 * NiftiWriter.write(Path.of("ct.nii.gz"), ct, NiftiWriter.Options.like(input).withDescription("ctshift"));
 * }</pre>
 */
public final class NiftiWriter {
  private static final int HEADER_BYTES = 352; // 348-byte header + 4-byte extension flag
  private static final int CHUNK_VOXELS = 1 << 17;

  private NiftiWriter() {}

  /**
   * How to encode the file.
   *
   * @param datatype stored voxel type
   * @param sclSlope {@code scl_slope}: stored = (value - sclInter) / sclSlope; finite and non-zero
   * @param sclInter {@code scl_inter}; finite
   * @param description {@code descrip}: at most 80 ASCII characters
   * @param xformCode {@code sform_code} and {@code qform_code}, 1..5 (1 = scanner anatomical)
   * @param compression how a {@code .gz} file is compressed
   */
  public record Options(NiftiDatatype datatype, double sclSlope, double sclInter, String description, int xformCode,
      Compression compression) {

    /** @throws IllegalArgumentException if a field is outside the range documented above */
    public Options {
      if (datatype == null) {
        throw new IllegalArgumentException("datatype is required");
      }
      if (!NiftiReader.usesScaling(sclSlope) || !Double.isFinite(sclInter)) {
        throw new IllegalArgumentException(
            "scl_slope must be finite and non-zero and scl_inter finite, got " + sclSlope + ", " + sclInter);
      }
      description = description == null ? "" : description;
      if (description.length() > 80 || !StandardCharsets.US_ASCII.newEncoder().canEncode(description)) {
        throw new IllegalArgumentException("description must be at most 80 ASCII characters: " + description);
      }
      if (xformCode < 1 || xformCode > 5) {
        throw new IllegalArgumentException("xform code must be 1..5, got " + xformCode);
      }
      if (compression == null) {
        throw new IllegalArgumentException("compression is required");
      }
    }

    /** The encoding without a choice of compression: {@link Compression#DEFAULT}. */
    public Options(NiftiDatatype datatype, double sclSlope, double sclInter, String description, int xformCode) {
      this(datatype, sclSlope, sclInter, description, xformCode, Compression.DEFAULT);
    }

    /** float32, no scaling, empty description, scanner-anatomical (1) transforms. */
    public static Options defaults() {
      return new Options(NiftiDatatype.FLOAT32, 1, 0, "", 1);
    }

    /**
     * The encoding of an image that was read: its datatype, scaling, description and transform code
     * (sform code, else qform code, else 1).
     */
    public static Options like(NiftiImage image) {
      int code = image.sformCode() > 0 ? image.sformCode() : image.qformCode();
      boolean scaled = image.isScaled() && Double.isFinite(image.sclInter());
      return new Options(image.datatype(), scaled ? image.sclSlope() : 1, scaled ? image.sclInter() : 0,
          image.description(), code >= 1 && code <= 5 ? code : 1);
    }

    public Options withDatatype(NiftiDatatype type) {
      return new Options(type, sclSlope, sclInter, description, xformCode, compression);
    }

    public Options withScaling(double slope, double inter) {
      return new Options(datatype, slope, inter, description, xformCode, compression);
    }

    public Options withDescription(String text) {
      return new Options(datatype, sclSlope, sclInter, text, xformCode, compression);
    }

    public Options withXformCode(int code) {
      return new Options(datatype, sclSlope, sclInter, description, code, compression);
    }

    public Options withCompression(Compression how) {
      return new Options(datatype, sclSlope, sclInter, description, xformCode, how);
    }
  }

  /** How a {@code .gz} file is compressed: both at deflate's fastest level, every core taking part. */
  public enum Compression {
    /** Repeated byte strings are found and coded once, then the bytes entropy-coded. */
    DEFAULT(Deflater.DEFAULT_STRATEGY),
    /**
     * The bytes are entropy-coded only: about twice as fast. For float CT volumes, whose low mantissa
     * bytes rarely repeat, the file is a few per cent larger (frames of a sweep: 0.815 of the data against
     * 0.784); for smooth or sparse data such as a heatmap it is much larger (0.80 against 0.65).
     */
    HUFFMAN_ONLY(Deflater.HUFFMAN_ONLY);

    private final int strategy;

    Compression(int strategy) {
      this.strategy = strategy;
    }
  }

  /** Writes one 3D volume. */
  public static void write(Path file, Volume volume, Options options) throws NiftiWriteException {
    write4d(file, List.of(volume), options, 3);
  }

  /**
   * Writes frames of identical geometry as a 4D series (dim[4] = number of frames), reading each frame
   * once, in order.
   *
   * @throws IllegalArgumentException if {@code frames} is empty or the frames differ in dims or affine
   */
  public static void write4d(Path file, List<Volume> frames, Options options) throws NiftiWriteException {
    write4d(file, frames, options, 4);
  }

  private static void write4d(Path file, List<Volume> frames, Options options, int ndim)
      throws NiftiWriteException {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("no frames to write to " + file);
    }
    Volume first = frames.get(0);
    int[] dims = first.dims();
    if (Math.max(Math.max(dims[0], dims[1]), Math.max(dims[2], frames.size())) > Short.MAX_VALUE) {
      throw new NiftiWriteException(file + ": cannot write " + first + " x " + frames.size()
          + " frames: NIfTI-1 allows at most " + Short.MAX_VALUE + " per dimension");
    }
    byte[] header = header(first, frames.size(), ndim, options);
    Path target = file.toAbsolutePath();
    Path temp = target.resolveSibling(
        "." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
    try {
      try (OutputStream out = open(temp, target.getFileName().toString().endsWith(".gz"), options.compression())) {
        out.write(header);
        // Each frame is read once, as it is written: a list that makes its frames when read (the sweep
        // frames mapped to the scan grid) then holds one at a time. A frame of another geometry stops
        // the write, and the partial file is deleted below.
        for (int t = 0; t < frames.size(); t++) {
          Volume frame = t == 0 ? first : frames.get(t);
          if (!frame.sameGeometry(first, 1e-6)) {
            throw new IllegalArgumentException("frame " + t + " (" + frame + ") differs in geometry from"
                + " frame 0 (" + first + ") writing " + file);
          }
          writeData(out, frame.data(), options);
        }
      }
      try {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new NiftiWriteException(
          file + ": cannot write (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // Nothing more to do: the temporary file is hidden and the write has already failed or succeeded.
      }
    }
  }

  private static OutputStream open(Path temp, boolean gzip, Compression compression) throws IOException {
    OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    if (!gzip) {
      return out;
    }
    // Fastest compression: CT volumes are large and level 6 costs several times the time for ~10% size.
    // Deflating is most of the time of writing an explanation's outputs, so every core takes part.
    return new ParallelGzipOutputStream(out, Deflater.BEST_SPEED, compression.strategy,
        Runtime.getRuntime().availableProcessors());
  }

  private static byte[] header(Volume v, int frames, int ndim, Options o) {
    double[][] a = v.affine();
    NiftiGeometry.Qform q = NiftiGeometry.affineToQform(a);
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, NiftiHeader.NIFTI1_SIZE);
    b.put(38, (byte) 'r'); // ANALYZE "regular" flag, expected by some older readers
    short[] dim = {(short) ndim, (short) v.nx(), (short) v.ny(), (short) v.nz(), (short) frames, 1, 1, 1};
    float[] pixdim = {(float) q.qfac(), (float) q.pixdim()[0], (float) q.pixdim()[1], (float) q.pixdim()[2],
        1, 1, 1, 1};
    for (int i = 0; i < 8; i++) {
      b.putShort(40 + 2 * i, dim[i]);
      b.putFloat(76 + 4 * i, pixdim[i]);
    }
    b.putShort(70, (short) o.datatype().code());
    b.putShort(72, (short) (8 * o.datatype().bytes()));
    b.putFloat(108, HEADER_BYTES);
    b.putFloat(112, (float) o.sclSlope());
    b.putFloat(116, (float) o.sclInter());
    b.put(123, (byte) (ndim == 4 ? 2 | 8 : 2)); // millimetres (+ seconds for a series)
    b.put(148, o.description().getBytes(StandardCharsets.US_ASCII));
    b.putShort(252, (short) o.xformCode());
    b.putShort(254, (short) o.xformCode());
    double[] quatern = {q.b(), q.c(), q.d(), q.offset()[0], q.offset()[1], q.offset()[2]};
    for (int i = 0; i < 6; i++) {
      b.putFloat(256 + 4 * i, (float) quatern[i]);
    }
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        b.putFloat(280 + 16 * r + 4 * c, (float) a[r][c]);
      }
    }
    b.put(344, "n+1\0".getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  private static void writeData(OutputStream out, float[] data, Options o) throws IOException {
    NiftiDatatype type = o.datatype();
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_VOXELS * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int pos = 0; pos < data.length; pos += CHUNK_VOXELS) {
      int n = Math.min(CHUNK_VOXELS, data.length - pos);
      if (type == NiftiDatatype.FLOAT32 && o.sclSlope() == 1 && o.sclInter() == 0) {
        // Stored as they are: the same bits the loop below gives, in one copy.
        buf.asFloatBuffer().put(data, pos, n);
        out.write(buf.array(), 0, n * type.bytes());
        continue;
      }
      for (int i = 0; i < n; i++) {
        double s = (data[pos + i] - o.sclInter()) / o.sclSlope();
        if (type.isInteger()) {
          s = Double.isNaN(s) ? 0 : Math.max(type.min(), Math.min(type.max(), Math.rint(s)));
        }
        switch (type) {
          case UINT8, INT8 -> buf.put(i, (byte) (long) s);
          case INT16, UINT16 -> buf.putShort(2 * i, (short) (long) s);
          case INT32, UINT32 -> buf.putInt(4 * i, (int) (long) s);
          case FLOAT32 -> buf.putFloat(4 * i, (float) s);
          case FLOAT64 -> buf.putDouble(8 * i, s);
        }
      }
      out.write(buf.array(), 0, n * type.bytes());
    }
  }
}
