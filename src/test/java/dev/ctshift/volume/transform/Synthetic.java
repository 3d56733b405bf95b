package dev.ctshift.volume.transform;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;
import java.util.function.ToDoubleFunction;

/** Tiny synthetic volumes for transform tests, built from first principles (not the transforms). */
final class Synthetic {
  private Synthetic() {}

  /** Affine whose voxel axis c points along the code's world direction with length spacing[c]. */
  static double[][] affine(String codes, double[] spacing, double[] origin) {
    double[][] a = Affine.identity();
    for (int c = 0; c < 3; c++) {
      char code = codes.charAt(c);
      a[0][c] = 0;
      a[1][c] = 0;
      a[2][c] = 0;
      a[Orientation.worldAxisOf(code)][c] = Orientation.isPositive(code) ? spacing[c] : -spacing[c];
    }
    for (int r = 0; r < 3; r++) {
      a[r][3] = origin[r];
    }
    return a;
  }

  /** {@code R * a}: the whole grid rotated about the world origin by {@code degrees} about x, y or z. */
  static double[][] rotated(double[][] a, int worldAxis, double degrees) {
    double t = Math.toRadians(degrees);
    int u = (worldAxis + 1) % 3;
    int v = (worldAxis + 2) % 3;
    double[][] r = Affine.identity();
    r[u][u] = Math.cos(t);
    r[u][v] = -Math.sin(t);
    r[v][u] = Math.sin(t);
    r[v][v] = Math.cos(t);
    return Affine.multiply(r, a);
  }

  /** Value {@code i + 100 j + 10000 k}: exact in float and decodable for dims below 100. */
  static Volume indexCoded(int nx, int ny, int nz, double[][] affine) {
    float[] d = new float[nx * ny * nz];
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          d[i + nx * (j + ny * k)] = i + 100 * j + 10000 * k;
        }
      }
    }
    return new Volume(nx, ny, nz, d, affine);
  }

  /** {i, j, k} encoded by {@link #indexCoded}. */
  static int[] decode(float value) {
    int v = Math.round(value);
    return new int[] {v % 100, (v / 100) % 100, v / 10000};
  }

  /** A volume whose voxel values are {@code f(world position)}. */
  static Volume ofWorld(int nx, int ny, int nz, double[][] affine, ToDoubleFunction<double[]> f) {
    float[] d = new float[nx * ny * nz];
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          d[i + nx * (j + ny * k)] = (float) f.applyAsDouble(world(affine, i, j, k));
        }
      }
    }
    return new Volume(nx, ny, nz, d, affine);
  }

  static double[] world(double[][] affine, double i, double j, double k) {
    return Affine.apply(affine, new double[] {i, j, k});
  }

  static double[] parse(String spaceSeparated) {
    String[] parts = spaceSeparated.trim().split("\\s+");
    double[] v = new double[parts.length];
    for (int n = 0; n < parts.length; n++) {
      v[n] = Double.parseDouble(parts[n]);
    }
    return v;
  }
}
