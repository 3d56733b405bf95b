package dev.ctshift.volume.transform;

import dev.ctshift.volume.Volume;

/**
 * One invertible preprocessing step, named after its MONAI counterpart.
 *
 * <p>Implementations are immutable and never modify their argument. {@link #apply} may return its
 * input itself when the step changes nothing (for example a volume already in the target
 * orientation); otherwise it returns a new volume with a new array.
 */
public interface VolumeTransform {

  /** The transformed volume. */
  Volume apply(Volume in);

  /** The grid {@link #apply} produces from a volume on grid {@code in}, computed without data. */
  VolumeGeometry outputGeometry(VolumeGeometry in);

  /**
   * Maps {@code out}, a volume on the grid of {@code apply(x)}, back onto the grid {@code in} of
   * {@code x}. Spatial steps move voxels (values unchanged except where they must be interpolated or
   * padded); intensity steps invert their value mapping.
   *
   * @throws IllegalArgumentException if {@code out} is not on {@code outputGeometry(in)}
   */
  Volume invert(Volume out, VolumeGeometry in);

  /** Name and parameters, e.g. {@code Orient(codes=RAS)}, for reports. */
  String describe();

  /** False for steps that only change values (their inverse is skipped for difference maps). */
  default boolean isSpatial() {
    return true;
  }
}
