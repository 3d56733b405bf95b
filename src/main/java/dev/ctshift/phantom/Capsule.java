package dev.ctshift.phantom;

/**
 * A straight tube between two points in patient millimetres whose radius changes linearly from
 * {@code r0} at the start to {@code r1} at the end (a capsule when the radii are equal).
 */
final class Capsule {
  final double ax;
  final double ay;
  final double az;
  final double r0;
  final double r1;
  private final double dx;
  private final double dy;
  private final double dz;
  private final double len2;
  /** Bounding box, already widened by the larger radius. */
  final double minX;
  final double maxX;
  final double minY;
  final double maxY;
  final double minZ;
  final double maxZ;

  Capsule(double ax, double ay, double az, double bx, double by, double bz, double r0, double r1) {
    this.ax = ax;
    this.ay = ay;
    this.az = az;
    this.r0 = r0;
    this.r1 = r1;
    this.dx = bx - ax;
    this.dy = by - ay;
    this.dz = bz - az;
    this.len2 = Math.max(dx * dx + dy * dy + dz * dz, 1e-12);
    double r = Math.max(r0, r1);
    minX = Math.min(ax, bx) - r;
    maxX = Math.max(ax, bx) + r;
    minY = Math.min(ay, by) - r;
    maxY = Math.max(ay, by) + r;
    minZ = Math.min(az, bz) - r;
    maxZ = Math.max(az, bz) + r;
  }

  static Capsule tube(double[] a, double[] b, double r) {
    return new Capsule(a[0], a[1], a[2], b[0], b[1], b[2], r, r);
  }

  double bx() {
    return ax + dx;
  }

  double by() {
    return ay + dy;
  }

  double bz() {
    return az + dz;
  }

  /**
   * Signed distance in mm from the point to the tube surface (negative inside), measured to the
   * axis point nearest to it; good enough for the thin, slowly tapering tubes drawn here.
   */
  double signedDistance(double x, double y, double z) {
    double px = x - ax;
    double py = y - ay;
    double pz = z - az;
    double t = (px * dx + py * dy + pz * dz) / len2;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    double ex = px - t * dx;
    double ey = py - t * dy;
    double ez = pz - t * dz;
    return Math.sqrt(ex * ex + ey * ey + ez * ez) - (r0 + t * (r1 - r0));
  }
}
