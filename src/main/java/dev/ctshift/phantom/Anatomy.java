package dev.ctshift.phantom;

import java.util.SplittableRandom;

/**
 * One subject's anatomy: sizes and positions drawn from a random stream, and an analytic classifier
 * that names the tissue at any point.
 *
 * <p>Coordinates are patient millimetres in RAS+ orientation: x toward the patient's Right, y
 * Anterior, z Superior. The origin is the centre of the thoracic cavity in the axial plane, and
 * z = 0 is the top of the right hemidiaphragm; the lungs reach up to {@link #zApex}.
 *
 * <p>Transcendental functions use {@link StrictMath} so that a seed gives the same bytes on every JVM.
 */
final class Anatomy {
  static final int AIR = 0;
  static final int TABLE_SHELL = 1;
  static final int TABLE_CORE = 2;
  static final int SKIN = 3;
  static final int FAT = 4;
  static final int MUSCLE = 5;
  static final int CORTEX = 6;
  static final int MARROW = 7;
  static final int CARTILAGE = 8;
  static final int DISC = 9;
  static final int CANAL = 10;
  static final int LIVER = 11;
  static final int ABDOMEN = 12;
  static final int MEDIASTINAL_FAT = 13;
  static final int MYOCARDIUM = 14;
  static final int BLOOD = 15;
  static final int AIRWAY = 16;
  static final int AIRWAY_WALL = 17;
  static final int ESOPHAGUS = 18;
  static final int LUNG = 19;
  static final int HEART_BLOOD = 20;
  static final int EFFUSION = 21;
  static final int NODULE = 22;
  static final int TISSUE_COUNT = 23;

  /** The mediastinum, and so the boundary between the two lungs, is centred a little to the left. */
  static final double MIDLINE_X = -4;
  private static final double VERTEBRA_HEIGHT_MM = 26;
  private static final double RIB_SPACING_MM = 24;
  private static final double RIB_HALF_HEIGHT_MM = 6;
  private static final double RIB_DEPTH_MM = 9;
  /** Lungs keep this far from the heart and mediastinal tubes (pericardium, fat, vessel walls). */
  private static final double LUNG_MARGIN_MM = 4;

  // Thoracic cavity half-axes (lateral, anterior, posterior) and chest-wall layers.
  final double cavA;
  final double cavBa;
  final double cavBp;
  final double fatMm;
  final double muscleMm;
  // Body outline: ellipse half-axes with a flat back at y = -bodyFlat.
  final double bodyA;
  final double bodyBa;
  final double bodyBp;
  final double bodyFlat;
  final double zApex;
  private final double zDomeLeft;
  private final double zSpinePhase;
  // Heart: rotated ellipsoid.
  final double heartScale;
  final double heartX;
  final double heartY;
  final double heartZ;
  private final double heartU;
  private final double heartV;
  private final double heartW;
  private final double heartWall;
  // Spine.
  final double vbY;
  private final double vbRx = 20;
  private final double vbRy = 16;
  private final double canalY;
  // Table under the patient.
  final double tableTop;
  private final double tableCore;
  private final double tableCurvature;
  private final double tableHalfWidth = 230;
  // Mediastinal tubes: aorta, great vessels, pulmonary arteries, trachea and bronchi, oesophagus.
  private final Capsule[] tubes;
  private final int[] tubeTissue;
  private final double[] tubeWall;
  private final boolean[] tubeOverHeart;
  /** Start points of the pulmonary vessel trees: right hilum, then left. */
  final double[][] hila;
  /** HU per tissue code for this subject. */
  final double[] hu = new double[TISSUE_COUNT];
  final double lungBaseHu;

  /**
   * Draws a subject. {@code maxHalfWidthMm} and {@code maxDepthMm} bound the body (lateral half-width,
   * and anterior-posterior extent including the table) so that it fits the field of view.
   */
  Anatomy(SplittableRandom rng, double heartScale, double maxHalfWidthMm, double maxDepthMm) {
    fatMm = uniform(rng, 5, 28);
    muscleMm = uniform(rng, 8, 14);
    double wantA = uniform(rng, 115, 145);
    cavA = Math.max(80, Math.min(wantA, maxHalfWidthMm - fatMm - muscleMm - 4));
    double cavScale = cavA / wantA;
    cavBa = uniform(rng, 66, 84) * Math.sqrt(cavScale);
    cavBp = uniform(rng, 78, 98) * Math.sqrt(cavScale);
    bodyA = cavA + fatMm + muscleMm + 4;
    bodyBa = cavBa + fatMm + muscleMm + 8;
    // Posterior wall: vertebral arch and paraspinal muscles; fat is thinner on the back when supine.
    bodyFlat = Math.min(cavBp + 48 + 0.6 * fatMm, maxDepthMm - bodyBa - 16);
    bodyBp = bodyFlat / 0.97;
    zApex = uniform(rng, 195, 240);
    zDomeLeft = -uniform(rng, 8, 22);
    zSpinePhase = uniform(rng, 0, VERTEBRA_HEIGHT_MM);

    this.heartScale = heartScale;
    double longAxis = uniform(rng, 54, 60);
    heartU = longAxis * heartScale;
    heartV = longAxis * 0.74 * heartScale;
    heartW = longAxis * 0.82 * (1 + 0.5 * (heartScale - 1));
    heartWall = uniform(rng, 9, 12);
    // Enlargement pushes the apex to the left.
    heartX = -0.2 * cavA - 30 * (heartScale - 1);
    heartY = 0.22 * cavBa;
    heartZ = -uniform(rng, 14, 26) + heartW;

    vbY = -cavBp + 18;
    canalY = vbY - vbRy - 8;
    tableTop = -bodyFlat - uniform(rng, 0, 4);
    tableCore = uniform(rng, 25, 40);
    tableCurvature = uniform(rng, 0, 0.0009);

    double zArch = uniform(rng, 115, 135);
    double zCarina = zArch - uniform(rng, 15, 25);
    double zPa = zArch - uniform(rng, 30, 40);
    double yTrachea = vbY + vbRy + 15;
    double yDesc = vbY + 4;
    double[] ascRoot = {8, 20, heartZ + 0.2 * heartW};
    double[] ascTop = {10, 20, zArch};
    double[] archMid = {-16, 2, zArch + 4};
    double[] descTop = {-24, yDesc, zArch};
    double[] descLow = {-18, yDesc + 6, -160};
    double[] carina = {0, yTrachea, zCarina};
    double[] paSplit = {-20, 22, zPa};
    double[] rpaBend = {0, -6, zPa - 4};
    hila = new double[][] {{0.36 * cavA, -8, zPa - 12}, {-0.38 * cavA, -6, zPa - 6}};
    double aortaR = uniform(rng, 11, 15);
    double top = zApex + 80;
    Capsule[] c = {
      Capsule.tube(ascRoot, ascTop, aortaR + 3),
      Capsule.tube(ascTop, archMid, aortaR + 1),
      Capsule.tube(archMid, descTop, aortaR),
      Capsule.tube(descTop, descLow, aortaR - 1),
      Capsule.tube(new double[] {6, 14, zArch}, new double[] {18, 2, top}, 6),
      Capsule.tube(new double[] {-8, 6, zArch}, new double[] {-14, 0, top}, 4.5),
      Capsule.tube(new double[] {-20, -2, zArch}, new double[] {-45, -10, top}, 5),
      Capsule.tube(new double[] {30, 8, heartZ + 0.5 * heartW}, new double[] {30, 8, zArch + 40}, 10),
      Capsule.tube(new double[] {heartX + 5, heartY + 25, heartZ + 0.5 * heartW}, paSplit, 14),
      Capsule.tube(paSplit, hila[1], 11),
      Capsule.tube(paSplit, rpaBend, 11),
      Capsule.tube(rpaBend, hila[0], 10),
      Capsule.tube(new double[] {0, yTrachea, top}, carina, 9),
      Capsule.tube(carina, new double[] {0.32 * cavA, yTrachea + 2, zCarina - 25}, 6.5),
      Capsule.tube(carina, new double[] {-0.33 * cavA, yTrachea + 4, zCarina - 35}, 6),
      Capsule.tube(new double[] {4, vbY + vbRy + 5, top}, new double[] {-12, vbY + vbRy + 22, -60}, 7),
    };
    tubes = c;
    tubeTissue = new int[] {BLOOD, BLOOD, BLOOD, BLOOD, BLOOD, BLOOD, BLOOD, BLOOD, BLOOD, BLOOD, BLOOD,
      BLOOD, AIRWAY, AIRWAY, AIRWAY, ESOPHAGUS};
    tubeWall = new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1.5, 1.5, 0};
    // The aortic root, SVC and pulmonary trunk start inside the heart, which hides them there; the
    // structures behind the heart (descending aorta, airways, oesophagus) stay whole if it grows.
    tubeOverHeart = new boolean[] {false, false, false, true, false, false, false, false, false, false, false,
      false, true, true, true, true};

    double blood = rng.nextDouble() < 0.5 ? uniform(rng, 35, 45) : uniform(rng, 110, 200);
    lungBaseHu = uniform(rng, -880, -835);
    hu[AIR] = -1000;
    hu[TABLE_SHELL] = uniform(rng, 150, 300);
    hu[TABLE_CORE] = uniform(rng, -950, -850);
    hu[SKIN] = uniform(rng, 20, 50);
    hu[FAT] = uniform(rng, -110, -90);
    hu[MUSCLE] = uniform(rng, 35, 50);
    hu[CORTEX] = uniform(rng, 650, 800);
    hu[MARROW] = uniform(rng, 220, 320);
    hu[CARTILAGE] = uniform(rng, 90, 140);
    hu[DISC] = uniform(rng, 70, 100);
    hu[CANAL] = uniform(rng, 15, 30);
    hu[LIVER] = uniform(rng, 50, 65);
    hu[ABDOMEN] = uniform(rng, 30, 45);
    hu[MEDIASTINAL_FAT] = uniform(rng, -100, -75);
    hu[MYOCARDIUM] = uniform(rng, 45, 55);
    hu[BLOOD] = blood;
    hu[AIRWAY] = -1000;
    hu[AIRWAY_WALL] = uniform(rng, 10, 40);
    hu[ESOPHAGUS] = uniform(rng, 30, 45);
    hu[LUNG] = lungBaseHu;
    hu[HEART_BLOOD] = blood;
    hu[EFFUSION] = uniform(rng, 3, 18);
    hu[NODULE] = uniform(rng, 20, 40);
  }

  static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  /** Lung attenuation at height y: the dependent (posterior) lung is a little denser, as in vivo. */
  double lungHu(double y) {
    double t = Math.max(-1, Math.min(1, -y / cavBp));
    return lungBaseHu + 30 * t;
  }

  /** Lateral half-width of the inner thorax at its widest, in mm. */
  double innerWidthMm() {
    return 2 * cavA;
  }

  /** The tissue code at patient point (x, y, z). */
  int classify(double x, double y, double z) {
    if (!inBody(x, y, 0)) {
      return table(x, y);
    }
    if (!inBody(x, y, 2)) {
      return SKIN;
    }
    int spine = spine(x, y, z);
    if (spine >= 0) {
      return spine;
    }
    double taper = cavityTaper(z);
    double a = cavA * taper;
    double b = (y > 0 ? cavBa : cavBp) * taper;
    double u = x / a;
    double v = y / b;
    double rho = Math.sqrt(u * u + v * v);
    if (rho > 1) {
      return chestWall(x, y, z, u, v, rho, 0.5 * (a + b));
    }
    // Inside the cavity: mediastinal tubes first, then heart, abdomen and lungs.
    double h = heartRadius(x, y, z);
    boolean inHeart = h <= 1;
    boolean nearStructure = false;
    for (int t = 0; t < tubes.length; t++) {
      if (inHeart && !tubeOverHeart[t]) {
        continue;
      }
      Capsule c = tubes[t];
      if (z < c.minZ - LUNG_MARGIN_MM || z > c.maxZ + LUNG_MARGIN_MM
          || x < c.minX - LUNG_MARGIN_MM || x > c.maxX + LUNG_MARGIN_MM
          || y < c.minY - LUNG_MARGIN_MM || y > c.maxY + LUNG_MARGIN_MM) {
        continue;
      }
      double d = c.signedDistance(x, y, z);
      if (d <= 0) {
        return tubeTissue[t];
      }
      if (d <= tubeWall[t]) {
        return AIRWAY_WALL;
      }
      nearStructure |= d <= LUNG_MARGIN_MM + tubeWall[t];
    }
    if (inHeart) {
      return h > 1 - heartWall / heartV ? MYOCARDIUM : HEART_BLOOD;
    }
    nearStructure |= h <= 1 + LUNG_MARGIN_MM / heartV;
    if (z < diaphragm(x, y)) {
      return x > -25 ? LIVER : ABDOMEN;
    }
    if (nearStructure || inMediastinum(x, y) || z > lungTop(x, y)) {
      return MEDIASTINAL_FAT;
    }
    double vx = x / (vbRx + LUNG_MARGIN_MM);
    double vy = (y - vbY) / (vbRy + LUNG_MARGIN_MM);
    return vx * vx + vy * vy <= 1 ? MEDIASTINAL_FAT : LUNG;
  }

  /** Normalised ellipsoid radius of the heart at the point (1 on its surface). */
  double heartRadius(double x, double y, double z) {
    double dx = x - heartX;
    double dy = y - heartY;
    double dz = (z - heartZ) / heartW;
    // Long axis toward the left, anterior apex: direction (-0.8, 0.6) in the axial plane.
    double pu = (-0.8 * dx + 0.6 * dy) / heartU;
    double pv = (-0.6 * dx - 0.8 * dy) / heartV;
    return Math.sqrt(pu * pu + pv * pv + dz * dz);
  }

  private boolean inBody(double x, double y, double inset) {
    if (y < -bodyFlat + inset) {
      return false;
    }
    double u = x / (bodyA - inset);
    double v = y / ((y > 0 ? bodyBa : bodyBp) - inset);
    return u * u + v * v <= 1;
  }

  private int table(double x, double y) {
    if (Math.abs(x) > tableHalfWidth) {
      return AIR;
    }
    double depth = tableTop + tableCurvature * x * x - y;
    if (depth < 0) {
      return AIR;
    }
    if (depth < 4) {
      return TABLE_SHELL;
    }
    if (depth < 4 + tableCore) {
      return TABLE_CORE;
    }
    return depth < 8 + tableCore ? TABLE_SHELL : AIR;
  }

  /** Vertebral body, disc, canal and posterior elements; -1 elsewhere. */
  private int spine(double x, double y, double z) {
    double ax = Math.abs(x);
    if (ax > 40 || y > vbY + vbRy + 1 || y < canalY - 42) {
      return -1;
    }
    double phase = (z - zSpinePhase) % VERTEBRA_HEIGHT_MM;
    phase = phase < 0 ? phase + VERTEBRA_HEIGHT_MM : phase;
    double u = x / vbRx;
    double v = (y - vbY) / vbRy;
    if (u * u + v * v <= 1) {
      if (phase < 5) {
        return DISC;
      }
      double ui = x / (vbRx - 2.5);
      double vi = (y - vbY) / (vbRy - 2.5);
      return ui * ui + vi * vi <= 1 ? MARROW : CORTEX;
    }
    double dc = Math.sqrt(sq(x, y - canalY));
    if (dc <= 7.5) {
      return CANAL;
    }
    if (dc <= 13) {
      return dc > 11 ? CORTEX : MARROW;
    }
    if (phase > 3 && phase < 21 && segmentDistance(x, y, 0, canalY - 11, 0, canalY - 36) <= 4.5) {
      return MARROW;
    }
    if (phase > 8 && phase < 20 && segmentDistance(ax, y, 8, canalY, 32, canalY - 5) <= 5) {
      return MARROW;
    }
    return -1;
  }

  private int chestWall(double x, double y, double z, double u, double v, double rho, double radius) {
    double out = (rho - 1) * radius;
    double theta = StrictMath.atan2(Math.abs(u), -v);
    if (out >= 1.5 && out <= 1.5 + RIB_DEPTH_MM) {
      int rib = rib(theta, z, out);
      if (rib >= 0) {
        return rib;
      }
    }
    if (out >= 20 && out <= 25 && theta > 0.35 && theta < 1.2 && z > zApex - 140 && z < zApex - 5) {
      return CORTEX; // scapula
    }
    if (y > cavBa + 1 && y < cavBa + 13 && z > heartZ - 0.5 * heartW && z < zApex - 20) {
      double halfWidth = z > zApex - 70 ? 22 : 14;
      if (Math.abs(x) < halfWidth) {
        boolean inner = y > cavBa + 3 && y < cavBa + 11 && Math.abs(x) < halfWidth - 2;
        return inner ? MARROW : CORTEX; // sternum
      }
    }
    return inBody(x, y, 2 + fatMm) ? MUSCLE : FAT;
  }

  /** Ribs slope down from the spine toward the front; each is a strip on the cavity wall. */
  private int rib(double theta, double z, double out) {
    if (theta < 0.28 || theta > 2.95) {
      return -1;
    }
    double t = (theta - 0.28) / (Math.PI - 0.28);
    double drop = 120 * StrictMath.pow(t, 1.2);
    double firstRib = zApex - 12;
    double pos = (firstRib - z - drop) / RIB_SPACING_MM;
    long n = Math.round(pos);
    if (n < 0 || n > 11) {
      return -1;
    }
    double dz = Math.abs(pos - n) * RIB_SPACING_MM;
    if (dz > RIB_HALF_HEIGHT_MM) {
      return -1;
    }
    if (theta > 2.65) {
      return n <= 9 ? CARTILAGE : -1;
    }
    boolean edge = dz > RIB_HALF_HEIGHT_MM - 1.8 || out < 3.3 || out > RIB_DEPTH_MM - 0.3;
    return edge ? CORTEX : MARROW;
  }

  /** Cavity shrinks toward the thoracic inlet. */
  private double cavityTaper(double z) {
    double start = zApex - 110;
    if (z <= start) {
      return 1;
    }
    double t = Math.min(1.2, (z - start) / (zApex + 10 - start));
    return 1 - 0.3 * t * t;
  }

  /** Height of the diaphragm: two domes, the right one higher, deepest in the posterior recesses. */
  double diaphragm(double x, double y) {
    double vy = y > 0 ? y / cavBa : y / cavBp;
    double depthY = y > 0 ? 40 * vy * vy : 75 * vy * vy;
    double dr = (x - 0.4 * cavA) / cavA;
    double dl = (x + 0.4 * cavA) / cavA;
    return Math.max(-110 * dr * dr, zDomeLeft - 110 * dl * dl) - depthY;
  }

  /** Each lung apex is a dome over its own hemithorax. */
  private double lungTop(double x, double y) {
    double dx = (Math.abs(x) - 0.45 * cavA) / cavA;
    double vy = y / (y > 0 ? cavBa : cavBp);
    return zApex - 140 * dx * dx - 90 * vy * vy;
  }

  /** A band between the lungs, widest behind the heart; the anterior junction is thin. */
  private boolean inMediastinum(double x, double y) {
    double g = (y + 0.3 * cavBp) / (0.5 * cavBp);
    double halfWidth = 8 + 22 * StrictMath.exp(-g * g);
    return Math.abs(x - MIDLINE_X) < halfWidth;
  }

  private static double segmentDistance(double px, double py, double ax, double ay, double bx, double by) {
    double dx = bx - ax;
    double dy = by - ay;
    double t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    return Math.sqrt(sq(px - ax - t * dx, py - ay - t * dy));
  }

  private static double sq(double a, double b) {
    return a * a + b * b;
  }
}
