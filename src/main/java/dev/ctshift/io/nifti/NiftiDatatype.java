package dev.ctshift.io.nifti;

/**
 * The voxel types this package reads and writes, with their NIfTI {@code datatype} codes. Other codes
 * (complex, RGB, 64-bit integers, float128) are rejected on reading; {@link #describe(int)} names them
 * for the error message.
 */
public enum NiftiDatatype {
  UINT8(2, 1, true, 0, 255),
  INT16(4, 2, true, Short.MIN_VALUE, Short.MAX_VALUE),
  INT32(8, 4, true, Integer.MIN_VALUE, Integer.MAX_VALUE),
  FLOAT32(16, 4, false, -Float.MAX_VALUE, Float.MAX_VALUE),
  FLOAT64(64, 8, false, -Double.MAX_VALUE, Double.MAX_VALUE),
  INT8(256, 1, true, Byte.MIN_VALUE, Byte.MAX_VALUE),
  UINT16(512, 2, true, 0, 65535),
  UINT32(768, 4, true, 0, 4294967295.0);

  private final int code;
  private final int bytes;
  private final boolean integer;
  private final double min;
  private final double max;

  NiftiDatatype(int code, int bytes, boolean integer, double min, double max) {
    this.code = code;
    this.bytes = bytes;
    this.integer = integer;
    this.min = min;
    this.max = max;
  }

  /** The NIfTI {@code datatype} header code, e.g. 16 for float32. */
  public int code() {
    return code;
  }

  /** Bytes per voxel (the header's {@code bitpix} / 8). */
  public int bytes() {
    return bytes;
  }

  /** True for the integer types, whose written values are rounded and clamped to {@link #min}..{@link #max}. */
  public boolean isInteger() {
    return integer;
  }

  /** Smallest representable stored value. */
  public double min() {
    return min;
  }

  /** Largest representable stored value. */
  public double max() {
    return max;
  }

  /** The supported type with this code, or null. */
  public static NiftiDatatype ofCode(int code) {
    for (NiftiDatatype t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /** A readable name for any NIfTI datatype code, e.g. "complex64" for 32, for error messages. */
  public static String describe(int code) {
    NiftiDatatype t = ofCode(code);
    if (t != null) {
      return t.name().toLowerCase(java.util.Locale.ROOT);
    }
    switch (code) {
      case 0: return "unknown";
      case 1: return "binary";
      case 32: return "complex64";
      case 128: return "rgb24";
      case 1024: return "int64";
      case 1280: return "uint64";
      case 1536: return "float128";
      case 1792: return "complex128";
      case 2048: return "complex256";
      case 2304: return "rgba32";
      default: return "not a NIfTI datatype";
    }
  }
}
