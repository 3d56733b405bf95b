package dev.ctshift.io.nifti;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;

/** Shared helpers of the NIfTI tests: synthetic volumes, affines and header patching. */
final class NiftiTestSupport {
  private NiftiTestSupport() {}

  /** An oblique affine: rotations about z and x, spacing 0.8 x 0.9 x 2.5 mm, optionally k flipped. */
  static double[][] obliqueAffine(boolean leftHanded) {
    double[][] rz = rotation(2, Math.toRadians(30));
    double[][] rx = rotation(0, Math.toRadians(-20));
    double[][] a = Affine.multiply(Affine.multiply(rz, rx), Affine.ofSpacing(0.8, 0.9, leftHanded ? -2.5 : 2.5));
    a[0][3] = -40.5;
    a[1][3] = 12.25;
    a[2][3] = 7;
    return a;
  }

  /** 4x4 rotation by {@code radians} about world axis 0, 1 or 2. */
  static double[][] rotation(int axis, double radians) {
    double[][] r = Affine.identity();
    int i = (axis + 1) % 3;
    int j = (axis + 2) % 3;
    r[i][i] = Math.cos(radians);
    r[i][j] = -Math.sin(radians);
    r[j][i] = Math.sin(radians);
    r[j][j] = Math.cos(radians);
    return r;
  }

  /** A volume of random values in {@code [lo, hi]} with the given affine. */
  static Volume randomVolume(int nx, int ny, int nz, double lo, double hi, double[][] affine, long seed) {
    Random random = new Random(seed);
    float[] data = new float[nx * ny * nz];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (lo + (hi - lo) * random.nextDouble());
    }
    return new Volume(nx, ny, nz, data, affine);
  }

  /** The affine as NIfTI-1 stores it: every entry rounded to float32. */
  static double[][] toFloat32(double[][] a) {
    double[][] f = Affine.copyOf(a);
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        f[r][c] = (float) f[r][c];
      }
    }
    return f;
  }

  /** Rewrites the header of an uncompressed little-endian file in place. */
  static void patchHeader(Path file, Consumer<ByteBuffer> edit) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    edit.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    Files.write(file, bytes);
  }

  /** A real data file from the shared data folder (may not exist; callers assume it does). */
  static Path real(String name) {
    return Path.of("..", "shared", "data", "real", name);
  }
}
