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

  /** Nodules of 4..18 mm and no marker beads. */
  public PhantomConfig(int size, int slices, double spacingMm, double sliceThicknessMm, double noiseHu,
      double blurMm, double effusionRate, double cardiomegalyRate, double noduleRate, int maxNodules) {
    this(size, slices, spacingMm, sliceThicknessMm, noiseHu, blurMm, effusionRate, cardiomegalyRate, noduleRate,
        maxNodules, 4, 18, 0, 0);
  }

  /**
   * 128 x 128 x 48 voxels, drawn geometry and image quality, rates 0.5 / 0.3 / 0.3, up to 3 nodules of
   * 4..18 mm, no marker beads.
   */
  public static PhantomConfig defaults() {
    return new PhantomConfig(128, 48, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.5, 0.3, 0.3, 3);
  }

  /** This configuration with another grid. */
  public PhantomConfig withGrid(int size, int slices, double spacingMm, double sliceThicknessMm) {
    return new PhantomConfig(size, slices, spacingMm, sliceThicknessMm, noiseHu, blurMm,
        effusionRate, cardiomegalyRate, noduleRate, maxNodules, noduleMinMm, noduleMaxMm,
        markerWithEffusion, markerWithoutEffusion);
  }

  /** This configuration with other noise and blur. */
  public PhantomConfig withImageQuality(double noiseHu, double blurMm) {
    return new PhantomConfig(size, slices, spacingMm, sliceThicknessMm, noiseHu, blurMm,
        effusionRate, cardiomegalyRate, noduleRate, maxNodules, noduleMinMm, noduleMaxMm,
        markerWithEffusion, markerWithoutEffusion);
  }

  /** This configuration with marker beads at these rates (see {@link Phantom#MARKER}). */
  public PhantomConfig withMarkers(double withEffusion, double withoutEffusion) {
    return new PhantomConfig(size, slices, spacingMm, sliceThicknessMm, noiseHu, blurMm,
        effusionRate, cardiomegalyRate, noduleRate, maxNodules, noduleMinMm, noduleMaxMm,
        withEffusion, withoutEffusion);
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
