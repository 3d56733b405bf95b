package dev.ctshift.phantom;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pulmonary vessel trees: from each hilum a few trunks branch dichotomously toward the lung periphery,
 * the radius shrinking at each generation, so that the lungs show the familiar tapering bright lines
 * and dots. Growth is in patient millimetres (see {@link Anatomy}) and stays inside the analytic lung,
 * so the trees do not depend on the voxel grid.
 */
final class VesselTree {
  private static final double MIN_RADIUS_MM = 0.5;
  private static final int MAX_SEGMENTS = 12000;
  /** Trunk directions for the right lung (x mirrored for the left): up, lateral, anterior, down. */
  private static final double[][] TRUNKS = {
    {0.25, 0.1, 1}, {0.5, -0.5, 0.8}, {0.4, 0.6, 0.8}, {0.8, 0.3, 0.5}, {0.7, 0.7, 0}, {0.9, -0.2, -0.1},
    {0.6, 0, -0.8}, {0.3, -0.7, -0.7}, {0.3, 0.5, -0.8}
  };

  private VesselTree() {}

  static List<Capsule> grow(Anatomy anatomy, SplittableRandom rng) {
    List<Capsule> segments = new ArrayList<>();
    Deque<double[]> stack = new ArrayDeque<>();
    for (int side = 0; side < 2; side++) {
      double sign = side == 0 ? 1 : -1;
      double[] hilum = anatomy.hila[side];
      for (double[] t : TRUNKS) {
        double[] d = normalize(new double[] {sign * t[0], t[1], t[2]});
        // {x, y, z, dx, dy, dz, radius, generation}
        stack.push(new double[] {hilum[0], hilum[1], hilum[2], d[0], d[1], d[2], Anatomy.uniform(rng, 4.5, 6), 0});
      }
    }
    while (!stack.isEmpty() && segments.size() < MAX_SEGMENTS) {
      double[] s = stack.pop();
      double r = s[6];
      double len = (5 + 4 * r) * Anatomy.uniform(rng, 0.8, 1.25);
      double[] dir = {s[3], s[4], s[5]};
      double[] end = null;
      for (int attempt = 0; attempt < 4 && end == null; attempt++) {
        double[] d = attempt == 0 ? dir : rotate(dir, randomPerpendicular(dir, rng), Anatomy.uniform(rng, 0.3, 0.7));
        double[] q = {s[0] + len * d[0], s[1] + len * d[1], s[2] + len * d[2]};
        double[] mid = {s[0] + 0.5 * len * d[0], s[1] + 0.5 * len * d[1], s[2] + 0.5 * len * d[2]};
        // Trunks start in the hilum, so only their far end has to be in the lung.
        if (isLung(anatomy, q) && (s[7] == 0 || isLung(anatomy, mid))) {
          end = q;
          dir = d;
        }
      }
      if (end == null) {
        continue;
      }
      double rEnd = r * 0.95;
      segments.add(new Capsule(s[0], s[1], s[2], end[0], end[1], end[2], r, rEnd));
      double ra = rEnd * Anatomy.uniform(rng, 0.8, 0.92);
      double rb = rEnd * Anatomy.uniform(rng, 0.65, 0.85);
      double[] axis = randomPerpendicular(dir, rng);
      double[] da = rotate(dir, axis, Anatomy.uniform(rng, 0.2, 0.45));
      double[] db = rotate(dir, axis, -Anatomy.uniform(rng, 0.4, 0.8));
      double gen = s[7] + 1;
      if (rb >= MIN_RADIUS_MM) {
        stack.push(new double[] {end[0], end[1], end[2], db[0], db[1], db[2], rb, gen});
      }
      if (ra >= MIN_RADIUS_MM) {
        stack.push(new double[] {end[0], end[1], end[2], da[0], da[1], da[2], ra, gen});
      }
    }
    return segments;
  }

  private static boolean isLung(Anatomy anatomy, double[] p) {
    return anatomy.classify(p[0], p[1], p[2]) == Anatomy.LUNG;
  }

  private static double[] normalize(double[] v) {
    double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    return new double[] {v[0] / n, v[1] / n, v[2] / n};
  }

  private static double[] randomPerpendicular(double[] d, SplittableRandom rng) {
    while (true) {
      double[] r = {rng.nextDouble() - 0.5, rng.nextDouble() - 0.5, rng.nextDouble() - 0.5};
      double[] c = {d[1] * r[2] - d[2] * r[1], d[2] * r[0] - d[0] * r[2], d[0] * r[1] - d[1] * r[0]};
      double n = Math.sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
      if (n > 1e-3) {
        return new double[] {c[0] / n, c[1] / n, c[2] / n};
      }
    }
  }

  /** Rodrigues rotation of unit vector v about unit axis k (perpendicular to v) by angle a. */
  private static double[] rotate(double[] v, double[] k, double a) {
    double c = StrictMath.cos(a);
    double s = StrictMath.sin(a);
    double[] kv = {k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0]};
    return normalize(new double[] {v[0] * c + kv[0] * s, v[1] * c + kv[1] * s, v[2] * c + kv[2] * s});
  }
}
