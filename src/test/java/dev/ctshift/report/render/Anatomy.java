package dev.ctshift.report.render;

import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;

/**
 * Test anatomy defined on a RAS index grid {@code [a][b][c]} (a toward Right, b Anterior, c Superior)
 * and stored under any axis codes, building the affine directly from the codes.
 */
final class Anatomy {
  private Anatomy() {}

  /**
   * The anatomy stored with voxel axes along {@code codes} (e.g. "LPS", "ARS"); {@code spacingRas}
   * is the voxel size along world x, y, z in mm.
   */
  static Volume store(float[][][] ras, String codes, double[] spacingRas) {
    int[] n = {ras.length, ras[0].length, ras[0][0].length};
    int[] w = new int[3];
    boolean[] pos = new boolean[3];
    int[] dims = new int[3];
    double[][] affine = new double[4][4];
    affine[3][3] = 1;
    for (int v = 0; v < 3; v++) {
      w[v] = Orientation.worldAxisOf(codes.charAt(v));
      pos[v] = Orientation.isPositive(codes.charAt(v));
      dims[v] = n[w[v]];
      affine[w[v]][v] = (pos[v] ? 1 : -1) * spacingRas[w[v]];
      // Voxel 0 sits at the RAS-grid end the axis starts from; +7 mm is an arbitrary offset.
      affine[w[v]][3] = (pos[v] ? 0 : n[w[v]] - 1) * spacingRas[w[v]] + 7;
    }
    float[] data = new float[dims[0] * dims[1] * dims[2]];
    int[] idx = new int[3];
    int[] r = new int[3];
    for (idx[2] = 0; idx[2] < dims[2]; idx[2]++) {
      for (idx[1] = 0; idx[1] < dims[1]; idx[1]++) {
        for (idx[0] = 0; idx[0] < dims[0]; idx[0]++) {
          for (int v = 0; v < 3; v++) {
            r[w[v]] = pos[v] ? idx[v] : n[w[v]] - 1 - idx[v];
          }
          data[idx[0] + dims[0] * (idx[1] + dims[1] * idx[2])] = ras[r[0]][r[1]][r[2]];
        }
      }
    }
    return new Volume(dims[0], dims[1], dims[2], data, affine);
  }

  /** The storage slice index of RAS grid index {@code c} along the world axis of voxel axis k. */
  static int storageSlice(String codes, int rasIndex, int n) {
    return Orientation.isPositive(codes.charAt(2)) ? rasIndex : n - 1 - rasIndex;
  }
}
