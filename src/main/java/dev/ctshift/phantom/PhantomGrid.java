package dev.ctshift.phantom;

import dev.ctshift.volume.Affine;
import java.util.SplittableRandom;

/**
 * The voxel grid and acquisition of one subject. World (RAS+ mm) = patient + (bodyX, bodyY, 0): the
 * grid is centred on the scanner isocentre, and the patient lies off-centre on the table.
 */
final class PhantomGrid {
  private static final double[] THICKNESSES_MM = {1.5, 2, 2.5, 3, 5};

  final int n;
  final int nz;
  final int voxels;
  final double fov;
  final double spacing;
  final double thickness;
  final double noiseHu;
  final double blurMm;
  final double x0;
  final double y0;
  final double z0;
  final double[][] affine;
  double bodyX;
  double bodyY;

  PhantomGrid(PhantomConfig c, SplittableRandom rng) {
    n = c.size();
    nz = c.slices();
    voxels = Math.multiplyExact(Math.multiplyExact(n, n), nz);
    double drawnFov = Anatomy.uniform(rng, 320, 420);
    spacing = Double.isNaN(c.spacingMm()) ? drawnFov / n : c.spacingMm();
    fov = spacing * n;
    double drawnThickness = THICKNESSES_MM[rng.nextInt(THICKNESSES_MM.length)];
    thickness = Double.isNaN(c.sliceThicknessMm()) ? drawnThickness : c.sliceThicknessMm();
    double drawnNoise = Anatomy.uniform(rng, 4, 25);
    noiseHu = Double.isNaN(c.noiseHu()) ? drawnNoise : c.noiseHu();
    double drawnBlur = Anatomy.uniform(rng, 0.5, 1.5);
    blurMm = Double.isNaN(c.blurMm()) ? drawnBlur : c.blurMm();
    // Centre the slab between the lung bases and the aortic arch, where the findings are.
    double zCentre = Anatomy.uniform(rng, 15, 80);
    x0 = -(n - 1) / 2.0 * spacing;
    y0 = x0;
    z0 = zCentre - (nz - 1) / 2.0 * thickness;
    affine = Affine.ofSpacing(spacing, spacing, thickness);
    affine[0][3] = x0;
    affine[1][3] = y0;
    affine[2][3] = z0;
  }

  /** Shifts the patient within the field of view, keeping body and table top inside it. */
  void placeBody(Anatomy a, SplittableRandom rng) {
    double slackX = Math.max(0, fov / 2 - a.bodyA - 3);
    bodyX = Anatomy.uniform(rng, -Math.min(15, slackX), Math.min(15, slackX));
    double lo = -fov / 2 + 8 - a.tableTop;
    double hi = fov / 2 - 3 - a.bodyBa;
    double want = Anatomy.uniform(rng, -20, 20);
    bodyY = lo > hi ? lo : Math.max(lo, Math.min(hi, want));
  }

  double x(int i) {
    return x0 + i * spacing - bodyX;
  }

  double y(int j) {
    return y0 + j * spacing - bodyY;
  }

  double z(int k) {
    return z0 + k * thickness;
  }

  double worldX(int i) {
    return x0 + i * spacing;
  }

  double worldY(int j) {
    return y0 + j * spacing;
  }

  int index(int i, int j, int k) {
    return i + n * (j + n * k);
  }

  double distanceMm(int di, int dj, int dk) {
    double dx = di * spacing;
    double dy = dj * spacing;
    double dz = dk * thickness;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}
