package dev.ctshift.phantom;

/**
 * What to generate: the voxel grid, image quality and how often each finding occurs. A parameter
 * given as {@code NaN} is drawn per subject from a realistic range instead.
 *
 * @param size voxels along i and j (square axial slices), 16..1024
 * @param slices number of axial slices (k), 1..1024
 * @param spacingMm in-plane voxel size in mm; NaN draws a field of view of 320..420 mm
 * @param sliceThicknessMm slice thickness = spacing along k, in mm; NaN draws one of 1.5, 2, 2.5, 3, 5
 * @param noiseHu standard deviation of Gaussian noise in HU; NaN draws 4..25
 * @param blurMm sigma of the in-plane Gaussian blur in mm (0 = none); NaN draws 0.5..1.5
 * @param effusionRate probability of a pleural effusion (side and volume then drawn)
 * @param cardiomegalyRate probability of an enlarged heart
 * @param noduleRate probability of having nodules (then 1..maxNodules of noduleMinMm..noduleMaxMm)
 * @param maxNodules most nodules per subject, 1..20
 * @param noduleMinMm smallest nodule diameter drawn, in mm (2..40)
 * @param noduleMaxMm largest nodule diameter drawn, in mm (noduleMinMm..40)
 * @param markerWithEffusion probability of a marker bead (a spurious feature, see
 *     {@link Phantom#MARKER}) in a subject with effusion
 * @param markerWithoutEffusion probability of a marker bead in a subject without effusion
 * @throws IllegalArgumentException if a value is outside its range
 */
public record PhantomConfig(
    int size,
    int slices,
    double spacingMm,
    double sliceThicknessMm,
    double noiseHu,
    double blurMm,
    double effusionRate,
    double cardiomegalyRate,
    double noduleRate,
    int maxNodules,
    double noduleMinMm,
    double noduleMaxMm,
    double markerWithEffusion,
    double markerWithoutEffusion) {

  public PhantomConfig {
    check(size >= 16 && size <= 1024, "size must be in [16, 1024], got " + size);
    check(slices >= 1 && slices <= 1024, "slices must be in [1, 1024], got " + slices);
    check(Double.isNaN(spacingMm) || (spacingMm >= 0.3 && spacingMm <= 10),
        "spacing must be in [0.3, 10] mm, got " + spacingMm);
    check(Double.isNaN(sliceThicknessMm) || (sliceThicknessMm >= 0.3 && sliceThicknessMm <= 20),
        "slice thickness must be in [0.3, 20] mm, got " + sliceThicknessMm);
    check(Double.isNaN(noiseHu) || (noiseHu >= 0 && noiseHu <= 500), "noise must be in [0, 500] HU, got " + noiseHu);
    check(Double.isNaN(blurMm) || (blurMm >= 0 && blurMm <= 10), "blur must be in [0, 10] mm, got " + blurMm);
    checkRate("effusion", effusionRate);
    checkRate("cardiomegaly", cardiomegalyRate);
    checkRate("nodule", noduleRate);
    check(maxNodules >= 1 && maxNodules <= 20, "max nodules must be in [1, 20], got " + maxNodules);
    check(noduleMinMm >= 2 && noduleMinMm <= noduleMaxMm && noduleMaxMm <= 40,
        "nodule sizes must satisfy 2 <= min <= max <= 40 mm, got " + noduleMinMm + " and " + noduleMaxMm);
    checkRate("marker (with effusion)", markerWithEffusion);
    checkRate("marker (without effusion)", markerWithoutEffusion);
  }

  /**
   * 128 x 128 x 48 voxels, drawn geometry and image quality, rates 0.5 / 0.3 / 0.3, up to 3 nodules of
   * 4..18 mm, no marker beads.
   */
  public static PhantomConfig defaults() {
    return builder().build();
  }

  /** A builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    return new Builder().grid(size, slices, spacingMm, sliceThicknessMm).imageQuality(noiseHu, blurMm)
        .rates(effusionRate, cardiomegalyRate, noduleRate).nodules(maxNodules, noduleMinMm, noduleMaxMm)
        .markers(markerWithEffusion, markerWithoutEffusion);
  }

  /** This configuration with another grid. */
  public PhantomConfig withGrid(int size, int slices, double spacingMm, double sliceThicknessMm) {
    return toBuilder().grid(size, slices, spacingMm, sliceThicknessMm).build();
  }

  /** This configuration with other noise and blur. */
  public PhantomConfig withImageQuality(double noiseHu, double blurMm) {
    return toBuilder().imageQuality(noiseHu, blurMm).build();
  }

  /** This configuration with marker beads at these rates (see {@link Phantom#MARKER}). */
  public PhantomConfig withMarkers(double withEffusion, double withoutEffusion) {
    return toBuilder().markers(withEffusion, withoutEffusion).build();
  }

  /** Builds a {@link PhantomConfig} by named groups of parameters; each group replaces the defaults'. */
  public static final class Builder {
    private int size = 128;
    private int slices = 48;
    private double spacingMm = Double.NaN;
    private double sliceThicknessMm = Double.NaN;
    private double noiseHu = Double.NaN;
    private double blurMm = Double.NaN;
    private double effusionRate = 0.5;
    private double cardiomegalyRate = 0.3;
    private double noduleRate = 0.3;
    private int maxNodules = 3;
    private double noduleMinMm = 4;
    private double noduleMaxMm = 18;
    private double markerWithEffusion;
    private double markerWithoutEffusion;

    private Builder() {}

    /** The voxel grid; NaN spacing or thickness is drawn per subject. */
    public Builder grid(int size, int slices, double spacingMm, double sliceThicknessMm) {
      this.size = size;
      this.slices = slices;
      this.spacingMm = spacingMm;
      this.sliceThicknessMm = sliceThicknessMm;
      return this;
    }

    /** Noise sigma in HU and blur sigma in mm; NaN is drawn per subject. */
    public Builder imageQuality(double noiseHu, double blurMm) {
      this.noiseHu = noiseHu;
      this.blurMm = blurMm;
      return this;
    }

    /** How often each finding occurs. */
    public Builder rates(double effusion, double cardiomegaly, double nodule) {
      this.effusionRate = effusion;
      this.cardiomegalyRate = cardiomegaly;
      this.noduleRate = nodule;
      return this;
    }

    /** Most nodules per subject and the range of their diameters in mm. */
    public Builder nodules(int most, double minMm, double maxMm) {
      this.maxNodules = most;
      this.noduleMinMm = minMm;
      this.noduleMaxMm = maxMm;
      return this;
    }

    /** Marker bead rates with and without effusion. */
    public Builder markers(double withEffusion, double withoutEffusion) {
      this.markerWithEffusion = withEffusion;
      this.markerWithoutEffusion = withoutEffusion;
      return this;
    }

    /** @throws IllegalArgumentException if a value is outside its range */
    public PhantomConfig build() {
      return new PhantomConfig(size, slices, spacingMm, sliceThicknessMm, noiseHu, blurMm, effusionRate,
          cardiomegalyRate, noduleRate, maxNodules, noduleMinMm, noduleMaxMm, markerWithEffusion,
          markerWithoutEffusion);
    }
  }

  private static void checkRate(String name, double rate) {
    check(rate >= 0 && rate <= 1, name + " rate must be in [0, 1], got " + rate);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
