package dev.ctshift.phantom;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Ground truth of one phantom: its findings as generated, body size and acquisition. Lengths in mm,
 * volumes in ml, attenuation in HU. One row of {@code labels.csv} ({@link #csvHeader()}).
 *
 * @param effusionFraction requested fluid fraction of each affected pleural space (0 if none)
 * @param effusionMl fluid volume actually in the image (both sides)
 * @param cardiothoracicRatio widest left-right extent of the heart label in any slice, over the
 *     inner diameter of the thorax (inside the ribs) at its widest
 * @param nodules the nodules placed (fewer than requested only if the lungs had no room)
 * @param marker whether a marker bead (label {@link Phantom#MARKER}) was placed
 */
public record PhantomAttributes(
    String id,
    long seed,
    EffusionSide effusionSide,
    double effusionFraction,
    double effusionMl,
    double heartScale,
    boolean cardiomegaly,
    double cardiothoracicRatio,
    List<Nodule> nodules,
    double bodyWidthMm,
    double bodyDepthMm,
    double fovMm,
    double pixelSpacingMm,
    double sliceThicknessMm,
    double noiseHu,
    double blurMm,
    double bloodHu,
    boolean marker,
    int nx,
    int ny,
    int nz) {

  public PhantomAttributes {
    nodules = List.copyOf(nodules);
  }

  public boolean hasEffusion() {
    return effusionSide != EffusionSide.NONE;
  }

  public int noduleCount() {
    return nodules.size();
  }

  public static String csvHeader() {
    return "id,seed,has_effusion,effusion_side,effusion_fraction,effusion_ml,heart_scale,cardiomegaly,"
        + "cardiothoracic_ratio,nodule_count,nodule_diameters_mm,nodule_centres_mm,body_width_mm,"
        + "body_depth_mm,fov_mm,pixel_spacing_mm,slice_thickness_mm,noise_hu,blur_mm,blood_hu,nx,ny,nz,marker";
  }

  /** Values in {@link #csvHeader()} order; lists are ';'-separated, centres as x:y:z (RAS+ mm). */
  public String csvRow() {
    String diameters = nodules.stream().map(n -> f(n.diameterMm())).collect(Collectors.joining(";"));
    String centres = nodules.stream()
        .map(n -> f(n.x()) + ":" + f(n.y()) + ":" + f(n.z()))
        .collect(Collectors.joining(";"));
    return String.join(",", id, Long.toString(seed), Integer.toString(hasEffusion() ? 1 : 0),
        effusionSide.name().toLowerCase(Locale.ROOT), f(effusionFraction), f(effusionMl), f(heartScale),
        Integer.toString(cardiomegaly ? 1 : 0), f(cardiothoracicRatio), Integer.toString(noduleCount()),
        diameters, centres, f(bodyWidthMm), f(bodyDepthMm), f(fovMm), f(pixelSpacingMm), f(sliceThicknessMm),
        f(noiseHu), f(blurMm), f(bloodHu), Integer.toString(nx), Integer.toString(ny), Integer.toString(nz),
        Integer.toString(marker ? 1 : 0));
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
