package dev.ctshift.volume.transform;

import dev.ctshift.volume.Volume;

/**
 * Maps values linearly so that {@code aMin -> bMin} and {@code aMax -> bMax}, optionally clipping
 * the result to the range between {@code bMin} and {@code bMax}, like MONAI's
 * {@code ScaleIntensityRange}. Typical use: an HU window onto [0, 1].
 *
 * <p>The inverse is the inverse linear map, without clipping: values that were clipped come back
 * as the window's end, not as the original value. The grid is unchanged.
 */
public final class ScaleIntensityRange implements VolumeTransform {
  private final double aMin;
  private final double aMax;
  private final double bMin;
  private final double bMax;
  private final boolean clip;

  /** @throws IllegalArgumentException if either range is empty or not finite */
  public ScaleIntensityRange(double aMin, double aMax, double bMin, double bMax, boolean clip) {
    if (!Double.isFinite(aMax - aMin) || aMax == aMin || !Double.isFinite(bMax - bMin) || bMax == bMin) {
      throw new IllegalArgumentException("ScaleIntensityRange needs two finite non-empty ranges, got ["
          + aMin + ", " + aMax + "] -> [" + bMin + ", " + bMax + "]");
    }
    this.aMin = aMin;
    this.aMax = aMax;
    this.bMin = bMin;
    this.bMax = bMax;
    this.clip = clip;
  }

  /** Output units per input unit, {@code (bMax - bMin) / (aMax - aMin)}: e.g. 1/2000 per HU. */
  public double scale() {
    return (bMax - bMin) / (aMax - aMin);
  }

  @Override
  public Volume apply(Volume in) {
    float[] v = in.data();
    float[] out = new float[v.length];
    double s = scale();
    double lo = Math.min(bMin, bMax);
    double hi = Math.max(bMin, bMax);
    for (int n = 0; n < v.length; n++) {
      double y = (v[n] - aMin) * s + bMin;
      out[n] = (float) (clip ? Math.min(Math.max(y, lo), hi) : y);
    }
    return in.withData(out);
  }

  @Override
  public VolumeGeometry outputGeometry(VolumeGeometry in) {
    return in;
  }

  @Override
  public Volume invert(Volume out, VolumeGeometry in) {
    Grids.requireOn(out, in, this);
    float[] v = out.data();
    float[] back = new float[v.length];
    double s = scale();
    for (int n = 0; n < v.length; n++) {
      back[n] = (float) ((v[n] - bMin) / s + aMin);
    }
    return out.withData(back);
  }

  @Override
  public String describe() {
    return "ScaleIntensityRange(aMin=" + aMin + ", aMax=" + aMax + ", bMin=" + bMin + ", bMax=" + bMax
        + ", clip=" + clip + ")";
  }

  @Override
  public boolean isSpatial() {
    return false;
  }
}
