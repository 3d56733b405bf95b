package dev.ctshift.io.nifti;

import dev.ctshift.io.VolumeReadException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The header fields ctshift uses, decoded from a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header of
 * either byte order. Arrays are owned by the record and not modified after parsing.
 *
 * @param dim {@code dim[0..7]} as stored (dim[0] = number of used dimensions)
 * @param pixdim {@code pixdim[0..7]}; pixdim[0] is the qform's qfac
 * @param quatern quaternion {@code b, c, d}
 * @param qoffset qform translation {@code x, y, z}
 * @param srow sform rows {@code srow_x, srow_y, srow_z}, each of length 4
 */
record NiftiHeader(
    int version,
    ByteOrder order,
    long[] dim,
    int datatypeCode,
    double[] pixdim,
    double voxOffset,
    double sclSlope,
    double sclInter,
    String description,
    int xyztUnits,
    int qformCode,
    int sformCode,
    double[] quatern,
    double[] qoffset,
    double[][] srow) {

  static final int NIFTI1_SIZE = 348;
  static final int NIFTI2_SIZE = 540;

  /**
   * The header size announced by the first four bytes in either byte order (348 or 540), with that byte
   * order; null if neither order gives a NIfTI size.
   */
  static ByteOrder detectOrder(byte[] first4) {
    for (ByteOrder o : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      int size = ByteBuffer.wrap(first4, 0, 4).order(o).getInt();
      if (size == NIFTI1_SIZE || size == NIFTI2_SIZE) {
        return o;
      }
    }
    return null;
  }

  /** Decodes a complete header whose size field (348 or 540) matches {@code bytes.length}. */
  static NiftiHeader parse(byte[] bytes, ByteOrder order, String fileName) throws VolumeReadException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
    return bytes.length == NIFTI1_SIZE ? parse1(b, fileName) : parse2(b, fileName);
  }

  private static NiftiHeader parse1(ByteBuffer b, String fileName) throws VolumeReadException {
    String magic = ascii(b, 344, 4);
    checkMagic(magic, "n+1", "ni1", fileName);
    long[] dim = new long[8];
    double[] pixdim = new double[8];
    for (int i = 0; i < 8; i++) {
      dim[i] = b.getShort(40 + 2 * i);
      pixdim[i] = b.getFloat(76 + 4 * i);
    }
    double[][] srow = new double[3][4];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        srow[r][c] = b.getFloat(280 + 16 * r + 4 * c);
      }
    }
    return new NiftiHeader(
        1, b.order(), dim, b.getShort(70), pixdim, b.getFloat(108), b.getFloat(112), b.getFloat(116),
        ascii(b, 148, 80), b.get(123) & 0xff, b.getShort(252), b.getShort(254),
        new double[] {b.getFloat(256), b.getFloat(260), b.getFloat(264)},
        new double[] {b.getFloat(268), b.getFloat(272), b.getFloat(276)},
        srow);
  }

  private static NiftiHeader parse2(ByteBuffer b, String fileName) throws VolumeReadException {
    String magic = ascii(b, 4, 8);
    checkMagic(magic, "n+2", "ni2", fileName);
    long[] dim = new long[8];
    double[] pixdim = new double[8];
    for (int i = 0; i < 8; i++) {
      dim[i] = b.getLong(16 + 8 * i);
      pixdim[i] = b.getDouble(104 + 8 * i);
    }
    double[][] srow = new double[3][4];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 4; c++) {
        srow[r][c] = b.getDouble(400 + 32 * r + 8 * c);
      }
    }
    return new NiftiHeader(
        2, b.order(), dim, b.getShort(12), pixdim, b.getLong(168), b.getDouble(176), b.getDouble(184),
        ascii(b, 240, 80), b.getInt(500), b.getInt(344), b.getInt(348),
        new double[] {b.getDouble(352), b.getDouble(360), b.getDouble(368)},
        new double[] {b.getDouble(376), b.getDouble(384), b.getDouble(392)},
        srow);
  }

  private static void checkMagic(String magic, String single, String pair, String fileName)
      throws VolumeReadException {
    if (magic.startsWith(pair)) {
      throw new VolumeReadException(fileName + ": is the header of a NIfTI .hdr/.img pair (magic '" + pair
          + "'); only single-file .nii/.nii.gz is supported, convert it first (e.g. with fslchfiletype)");
    }
    if (!magic.startsWith(single)) {
      throw new VolumeReadException(fileName + ": not a NIfTI file (bad magic '" + magic
          + "', expected '" + single + "')" + (single.equals("n+1")
              ? "; a 348-byte header without it is an Analyze 7.5 .hdr, convert it to NIfTI first" : ""));
    }
  }

  /** A NUL-terminated ASCII field, trimmed, with other bytes shown as '?'. */
  private static String ascii(ByteBuffer b, int offset, int length) {
    byte[] raw = new byte[length];
    b.get(offset, raw);
    int n = 0;
    while (n < length && raw[n] != 0) {
      n++;
    }
    return printable(new String(raw, 0, n, StandardCharsets.US_ASCII)).trim();
  }

  private static String printable(String s) {
    return s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
