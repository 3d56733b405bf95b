package dev.ctshift.io.sanity;

import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.volume.Volume;
import java.nio.file.Path;
import java.util.function.DoubleUnaryOperator;

/**
 * The inputs of the issue-22 probes, made from the bundled phantom CT (a real CT in HU): windowed to
 * uint8, shifted, scaled, made MR-like, spoilt with NaN. Shared by the unit and the command-line tests.
 */
public final class Inputs {
  /** The bundled effusion phantom, a CT in HU. */
  public static final Path PHANTOM = Path.of("samples", "phantom-effusion.nii.gz");

  private Inputs() {}

  /** The phantom's HU volume. */
  public static Volume phantom() throws VolumeReadException {
    return ScanReader.read(PHANTOM, null, s -> { }).hu();
  }

  /** {@code v} with every value mapped by {@code f}. */
  public static Volume map(Volume v, DoubleUnaryOperator f) {
    float[] out = new float[v.voxelCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) f.applyAsDouble(v.data()[i]);
    }
    return v.withData(out);
  }

  /** LIDC-style export: HU windowed to [lo, hi] and stored as 0..255 (rounded). */
  public static Volume windowedUint8(Volume hu, double lo, double hi) {
    return map(hu, x -> Math.round(255 * Math.min(1, Math.max(0, (x - lo) / (hi - lo)))));
  }

  /** MR-like intensities: non-negative, no air at -1000, tissue from 0 to about {@code top}. */
  public static Volume mrLike(Volume hu, double bottom, double top) {
    return map(hu, x -> bottom + (top - bottom) * Math.min(1, Math.max(0, (x + 1000) / 2000.0)));
  }

  /** {@code v} with {@code count} voxels (spread evenly) set to {@code value}. */
  public static Volume spoilt(Volume v, int count, float value) {
    float[] out = v.data().clone();
    int step = out.length / count;
    for (int n = 0; n < count; n++) {
      out[n * step] = value;
    }
    return v.withData(out);
  }

  /** A scan record around a volume, as a NIfTI file would give it. */
  public static Scan scan(String name, Volume v) {
    return new Scan(Path.of(name), Scan.Format.NIFTI, v, false, "test volume " + name, null);
  }
}
