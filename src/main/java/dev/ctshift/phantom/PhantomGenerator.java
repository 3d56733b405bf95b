package dev.ctshift.phantom;

import dev.ctshift.volume.Volume;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates synthetic chest CT volumes in HU with lung, effusion, heart and nodule labels.
 *
 * <p>Each subject is a pure function of the configuration, its seed and its findings: the same inputs
 * give bit-identical arrays. The seed feeds separate random streams for acquisition, findings,
 * anatomy, vessels, nodules and noise, so that changing the findings of a seed keeps its body,
 * geometry and noise. See {@link Phantom} for the orientation and label codes.
 *
 * <pre>{@code
 * PhantomGenerator gen = new PhantomGenerator(PhantomConfig.defaults());
 * Phantom p = gen.generate("case_00001", 42L);
 * float[] hu = p.ct().data();  // index i + nx * (j + ny * k)
 * }</pre>
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class PhantomGenerator {
  private static final float HU_MIN = -1024;
  private static final float HU_MAX = 3071;
  /** Keep this much aerated lung around a nodule when placing it, in mm. */
  private static final double NODULE_CLEARANCE_MM = 2;
  private static final int NODULE_TRIES = 300;
  /** A dense bead (bone-like to metallic; clipped by a soft-tissue window either way). */
  private static final float MARKER_HU = 2000;

  private final PhantomConfig config;

  public PhantomGenerator(PhantomConfig config) {
    this.config = config;
  }

  public PhantomConfig config() {
    return config;
  }

  /** Generates subject {@code id} with findings drawn from the configured rates. */
  public Phantom generate(String id, long seed) {
    return generate(id, seed, sampleFindings(seed));
  }

  /** The findings that {@link #generate(String, long)} gives this seed. */
  public Findings sampleFindings(long seed) {
    SplittableRandom rng = new Streams(seed).findings;
    EffusionSide side = EffusionSide.NONE;
    double fraction = 0;
    if (rng.nextDouble() < config.effusionRate()) {
      double s = rng.nextDouble();
      side = s < 0.3 ? EffusionSide.LEFT : (s < 0.65 ? EffusionSide.RIGHT : EffusionSide.BOTH);
      fraction = Anatomy.uniform(rng, 0.05, 0.4);
    }
    double heartScale = rng.nextDouble() < config.cardiomegalyRate()
        ? Anatomy.uniform(rng, 1.2, 1.45)
        : Anatomy.uniform(rng, 0.88, 1.08);
    List<Double> nodules = new ArrayList<>();
    if (rng.nextDouble() < config.noduleRate()) {
      int count = 1 + rng.nextInt(config.maxNodules());
      for (int n = 0; n < count; n++) {
        nodules.add(Anatomy.uniform(rng, config.noduleMinMm(), config.noduleMaxMm()));
      }
    }
    return new Findings(side, fraction, heartScale, nodules);
  }

  /**
   * Generates subject {@code id} with the given findings; the seed sets everything else, including
   * whether a marker bead is placed (at the configured rate for the subject's effusion status).
   */
  public Phantom generate(String id, long seed, Findings findings) {
    return generate(id, seed, findings, hasMarker(seed, findings));
  }

  /**
   * The subject {@link #generate(String, long)} gives this seed without its pleural effusion, and
   * otherwise the same: anatomy, vessels, heart, nodules, marker, blur and noise come from the same
   * random streams, so that where the fluid was there is aerated lung and everywhere else the two
   * scans differ at most by the blur of the fluid's edge. Trained on such pairs, a classifier finds
   * the fluid to be the only difference between a positive scan and its negative twin.
   */
  public Phantom generateWithoutEffusion(String id, long seed) {
    Findings drawn = sampleFindings(seed);
    Findings dry = new Findings(EffusionSide.NONE, 0, drawn.heartScale(), drawn.noduleDiametersMm());
    return render(id, seed, dry, hasMarker(seed, drawn), drawn);
  }

  /** Whether subject {@code seed} with {@code findings} has a marker bead, at the configured rates. */
  private boolean hasMarker(long seed, Findings findings) {
    double markerRate = findings.effusionSide() == EffusionSide.NONE
        ? config.markerWithoutEffusion() : config.markerWithEffusion();
    return new Streams(seed).marker.nextDouble() < markerRate;
  }

  /** Generates subject {@code id} with the given findings, with or without a marker bead. */
  public Phantom generate(String id, long seed, Findings findings, boolean marker) {
    return render(id, seed, findings, marker, findings);
  }

  /**
   * Generates subject {@code id} with {@code findings}, placing its nodules where they go in the
   * subject with {@code placement}'s effusion (the same findings but for a twin without effusion).
   */
  private Phantom render(String id, long seed, Findings findings, boolean marker, Findings placement) {
    Streams streams = new Streams(seed);
    PhantomGrid g = new PhantomGrid(config, streams.acquisition);
    Anatomy anatomy = new Anatomy(streams.anatomy, findings.heartScale(), 0.47 * g.fov, 0.95 * g.fov);
    g.placeBody(anatomy, streams.acquisition);

    float[] hu = new float[g.voxels];
    float[] labels = new float[g.voxels];
    rasterize(anatomy, g, hu, labels);
    addEffusions(anatomy, g, hu, labels, findings);
    // Nodule sites are chosen in the aerated lung of the subject with placement's effusion.
    float[] sites = labels;
    if (placement != findings) {
      sites = new float[g.voxels];
      float[] unused = new float[g.voxels];
      rasterize(anatomy, g, unused, sites);
      addEffusions(anatomy, g, unused, sites, placement);
    }
    drawVessels(VesselTree.grow(anatomy, streams.vessels), anatomy.hu[Anatomy.BLOOD], g, hu, labels);
    List<Nodule> nodules = new ArrayList<>();
    for (double d : findings.noduleDiametersMm()) {
      Nodule n = placeNodule(d, anatomy.hu[Anatomy.NODULE], g, hu, labels, sites, streams.nodules);
      if (n != null) {
        nodules.add(n);
      }
    }
    if (marker) {
      streams.marker.nextDouble(); // the draw that decided the marker
      placeMarker(anatomy, g, hu, labels, streams.marker);
    }
    Filters.gaussianBlurInPlane(hu, g.n, g.n, g.nz, g.blurMm / g.spacing);
    Filters.addNoise(hu, g.noiseHu, streams.noise);
    Filters.clamp(hu, HU_MIN, HU_MAX);

    double voxelMl = g.spacing * g.spacing * g.thickness / 1000;
    PhantomAttributes attributes = new PhantomAttributes(id, seed, findings.effusionSide(),
        findings.effusionFraction(), count(labels, Phantom.EFFUSION) * voxelMl, findings.heartScale(),
        findings.cardiomegaly(), heartWidthMm(labels, g) / anatomy.innerWidthMm(), nodules,
        2 * anatomy.bodyA, anatomy.bodyBa + anatomy.bodyFlat, g.fov, g.spacing, g.thickness, g.noiseHu,
        g.blurMm, anatomy.hu[Anatomy.BLOOD], marker, g.n, g.n, g.nz);
    return new Phantom(new Volume(g.n, g.n, g.nz, hu, g.affine), new Volume(g.n, g.n, g.nz, labels, g.affine),
        attributes);
  }

  private static void addEffusions(Anatomy anatomy, PhantomGrid g, float[] hu, float[] labels, Findings findings) {
    if (findings.effusionSide().includesRight()) {
      addEffusion(anatomy, g, hu, labels, true, findings.effusionFraction());
    }
    if (findings.effusionSide().includesLeft()) {
      addEffusion(anatomy, g, hu, labels, false, findings.effusionFraction());
    }
  }

  private static void rasterize(Anatomy anatomy, PhantomGrid g, float[] hu, float[] labels) {
    for (int k = 0; k < g.nz; k++) {
      double z = g.z(k);
      for (int j = 0; j < g.n; j++) {
        double y = g.y(j);
        int row = g.n * (j + g.n * k);
        for (int i = 0; i < g.n; i++) {
          int t = anatomy.classify(g.x(i), y, z);
          hu[row + i] = (float) (t == Anatomy.LUNG ? anatomy.lungHu(y) : anatomy.hu[t]);
          labels[row + i] = labelOf(t);
        }
      }
    }
  }

  private static float labelOf(int tissue) {
    switch (tissue) {
      case Anatomy.LUNG: return Phantom.LUNG;
      case Anatomy.MYOCARDIUM: case Anatomy.HEART_BLOOD: return Phantom.HEART;
      default: return Phantom.BACKGROUND;
    }
  }

  /**
   * Turns the most dependent {@code fraction} of one lung's voxels into fluid. Fluid lies below a
   * level that is horizontal in the supine patient, climbs a little along the lateral wall (meniscus)
   * and sits a little higher toward the base; within one (x, z) column fluid is always below lung.
   */
  private static void addEffusion(Anatomy anatomy, PhantomGrid g, float[] hu, float[] labels, boolean right,
      double fraction) {
    int count = 0;
    float[] keys = new float[g.voxels];
    int[] index = new int[g.voxels];
    for (int v = 0; v < g.voxels; v++) {
      if (labels[v] != Phantom.LUNG) {
        continue;
      }
      int i = v % g.n;
      int j = (v / g.n) % g.n;
      int k = v / (g.n * g.n);
      double x = g.x(i);
      if ((x > Anatomy.MIDLINE_X) != right) {
        continue;
      }
      double lateral = (x - Anatomy.MIDLINE_X) / anatomy.cavA;
      keys[count] = (float) (g.y(j) - 25 * lateral * lateral + 0.08 * g.z(k));
      index[count++] = v;
    }
    int fluid = (int) Math.round(fraction * count);
    if (fluid == 0) {
      return;
    }
    float[] sorted = Arrays.copyOf(keys, count);
    Arrays.sort(sorted);
    float level = sorted[fluid - 1];
    float fluidHu = (float) anatomy.hu[Anatomy.EFFUSION];
    for (int c = 0; c < count; c++) {
      if (keys[c] <= level) {
        labels[index[c]] = Phantom.EFFUSION;
        hu[index[c]] = fluidHu;
      }
    }
  }

  /** Blends each vessel into the aerated lung with a one-voxel soft edge (partial volume). */
  private static void drawVessels(List<Capsule> segments, double vesselHu, PhantomGrid g, float[] hu, float[] labels) {
    float[] fraction = new float[g.voxels];
    double h = g.spacing;
    // Vessels much thinner than a voxel would vanish entirely; real scans still show them faintly.
    double thinBoost = 0.15 * h;
    for (Capsule c : segments) {
      int i0 = Math.max(0, (int) Math.ceil((c.minX + g.bodyX - h - g.x0) / g.spacing));
      int i1 = Math.min(g.n - 1, (int) Math.floor((c.maxX + g.bodyX + h - g.x0) / g.spacing));
      int j0 = Math.max(0, (int) Math.ceil((c.minY + g.bodyY - h - g.y0) / g.spacing));
      int j1 = Math.min(g.n - 1, (int) Math.floor((c.maxY + g.bodyY + h - g.y0) / g.spacing));
      int k0 = Math.max(0, (int) Math.ceil((c.minZ - h - g.z0) / g.thickness));
      int k1 = Math.min(g.nz - 1, (int) Math.floor((c.maxZ + h - g.z0) / g.thickness));
      for (int k = k0; k <= k1; k++) {
        double z = g.z(k);
        for (int j = j0; j <= j1; j++) {
          double y = g.y(j);
          int row = g.n * (j + g.n * k);
          for (int i = i0; i <= i1; i++) {
            if (labels[row + i] != Phantom.LUNG) {
              continue;
            }
            float f = (float) clamp01(0.5 - (c.signedDistance(g.x(i), y, z) - thinBoost) / h);
            if (f > fraction[row + i]) {
              fraction[row + i] = f;
            }
          }
        }
      }
    }
    for (int v = 0; v < g.voxels; v++) {
      if (fraction[v] > 0) {
        hu[v] += fraction[v] * (float) (vesselHu - hu[v]);
      }
    }
  }

  /**
   * Places a solid sphere centred on a random aerated-lung voxel of {@code sites} with lung all around
   * it there (and marks it in {@code sites} too), or returns null if no such place is found.
   * {@code sites} is {@code labels} except for an effusion twin.
   */
  private static Nodule placeNodule(double diameterMm, double noduleHu, PhantomGrid g, float[] hu, float[] labels,
      float[] sites, SplittableRandom rng) {
    int[] lung = new int[g.voxels];
    int count = 0;
    for (int v = 0; v < g.voxels; v++) {
      if (sites[v] == Phantom.LUNG) {
        lung[count++] = v;
      }
    }
    if (count == 0) {
      return null;
    }
    double r = diameterMm / 2;
    double reach = r + Math.max(NODULE_CLEARANCE_MM, g.spacing);
    int ri = (int) Math.ceil(reach / g.spacing);
    int rk = (int) Math.ceil(reach / g.thickness);
    for (int attempt = 0; attempt < NODULE_TRIES; attempt++) {
      int v = lung[rng.nextInt(count)];
      int ci = v % g.n;
      int cj = (v / g.n) % g.n;
      int ck = v / (g.n * g.n);
      if (ci < ri || cj < ri || ck < rk || ci + ri >= g.n || cj + ri >= g.n || ck + rk >= g.nz
          || !surroundedByLung(g, sites, ci, cj, ck, ri, rk, reach)) {
        continue;
      }
      for (int k = ck - rk; k <= ck + rk; k++) {
        for (int j = cj - ri; j <= cj + ri; j++) {
          for (int i = ci - ri; i <= ci + ri; i++) {
            double d = g.distanceMm(i - ci, j - cj, k - ck);
            int w = g.index(i, j, k);
            if (d <= r) {
              labels[w] = Phantom.NODULE;
              sites[w] = Phantom.NODULE;
            }
            if (labels[w] == Phantom.LUNG || labels[w] == Phantom.NODULE) {
              hu[w] += (float) clamp01(0.5 + (r - d) / g.spacing) * (float) (noduleHu - hu[w]);
            }
          }
        }
      }
      return new Nodule(g.worldX(ci), g.worldY(cj), g.z(ck), diameterMm);
    }
    return null;
  }

  /**
   * Places a dense bead of 10..14 mm in the air in front of the chest, over its left or right half
   * and in the middle half of the slab: a stand-in for the skin markers, stamps and devices that
   * co-occur with a diagnosis in some sites' data. Only air voxels take its label.
   */
  private static void placeMarker(Anatomy anatomy, PhantomGrid g, float[] hu, float[] labels, SplittableRandom rng) {
    double r = Anatomy.uniform(rng, 10, 14) / 2;
    double x = (rng.nextBoolean() ? 1 : -1) * Anatomy.uniform(rng, 0.2, 0.5) * anatomy.bodyA;
    double skin = anatomy.bodyBa * Math.sqrt(1 - (x / anatomy.bodyA) * (x / anatomy.bodyA));
    // Patient y of the grid's anterior edge; keep the bead inside the field of view.
    double edge = g.y(g.n - 1) - r - g.spacing;
    double y = Math.min(skin + r + Anatomy.uniform(rng, 6, 20), edge);
    double z = g.z(0) + (g.nz - 1) * g.thickness * Anatomy.uniform(rng, 0.25, 0.75);
    for (int k = 0; k < g.nz; k++) {
      for (int j = 0; j < g.n; j++) {
        for (int i = 0; i < g.n; i++) {
          double dx = g.x(i) - x;
          double dy = g.y(j) - y;
          double dz = g.z(k) - z;
          double d = Math.sqrt(dx * dx + dy * dy + dz * dz);
          if (d > r + g.spacing) {
            continue;
          }
          int w = g.index(i, j, k);
          if (labels[w] != Phantom.BACKGROUND) {
            continue;
          }
          if (d <= r) {
            labels[w] = Phantom.MARKER;
          }
          hu[w] += (float) clamp01(0.5 + (r - d) / g.spacing) * (float) (MARKER_HU - hu[w]);
        }
      }
    }
  }

  private static boolean surroundedByLung(PhantomGrid g, float[] labels, int ci, int cj, int ck, int ri, int rk,
      double reach) {
    for (int k = ck - rk; k <= ck + rk; k++) {
      for (int j = cj - ri; j <= cj + ri; j++) {
        for (int i = ci - ri; i <= ci + ri; i++) {
          if (g.distanceMm(i - ci, j - cj, k - ck) <= reach && labels[g.index(i, j, k)] != Phantom.LUNG) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** Widest left-right extent of the heart label over all slices, in mm. */
  private static double heartWidthMm(float[] labels, PhantomGrid g) {
    int widest = 0;
    for (int k = 0; k < g.nz; k++) {
      int lo = Integer.MAX_VALUE;
      int hi = -1;
      for (int j = 0; j < g.n; j++) {
        int row = g.n * (j + g.n * k);
        for (int i = 0; i < g.n; i++) {
          if (labels[row + i] == Phantom.HEART) {
            lo = Math.min(lo, i);
            hi = Math.max(hi, i);
          }
        }
      }
      widest = Math.max(widest, hi - lo + 1);
    }
    return widest * g.spacing;
  }

  private static int count(float[] labels, int code) {
    int c = 0;
    for (float l : labels) {
      c += l == code ? 1 : 0;
    }
    return c;
  }

  private static double clamp01(double v) {
    return v < 0 ? 0 : (v > 1 ? 1 : v);
  }

  /** Independent random streams split from one seed, in a fixed order. */
  private static final class Streams {
    final SplittableRandom acquisition;
    final SplittableRandom findings;
    final SplittableRandom anatomy;
    final SplittableRandom vessels;
    final SplittableRandom nodules;
    final SplittableRandom noise;
    final SplittableRandom marker;

    Streams(long seed) {
      SplittableRandom root = new SplittableRandom(seed);
      acquisition = root.split();
      findings = root.split();
      anatomy = root.split();
      vessels = root.split();
      nodules = root.split();
      noise = root.split();
      // Split last, so that subjects without a marker are the same as before markers existed.
      marker = root.split();
    }
  }
}
