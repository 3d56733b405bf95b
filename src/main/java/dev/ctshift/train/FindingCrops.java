package dev.ctshift.train;

/**
 * Crops around findings for the first epochs of a classifier's training. A small finding (a nodule of
 * a few voxels) is a needle in a whole volume: trained on whole volumes only, the classifier never
 * finds it. In each of the first {@code epochs} epochs every training sample is instead a
 * {@code depth x height x width} crop of its volume: with probability 1/2, when the volume has a
 * finding region, centred (within {@value #JITTER} voxels) on one of its voxels, otherwise placed
 * uniformly at random; each volume gives {@code perVolume} crops per epoch, so that an epoch sees
 * enough findings. Later epochs train on whole volumes as usual.
 *
 * @param epochs how many epochs, from the first, train on crops
 * @param perVolume crops drawn from each training volume per epoch
 * @param depth crop depth in voxels
 * @param height crop height in voxels
 * @param width crop width in voxels
 */
public record FindingCrops(int epochs, int perVolume, int depth, int height, int width) {
  /** A crop's centre is moved by up to this many voxels per axis, so a finding is not always central. */
  static final int JITTER = 2;

  /** @throws IllegalArgumentException if a value is below 1 */
  public FindingCrops {
    if (epochs < 1 || perVolume < 1 || depth < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("crop epochs, crops per volume and sizes must be at least 1, got "
          + epochs + " epochs of " + perVolume + " crops of " + depth + "x" + height + "x" + width);
    }
  }

  /** Whether training samples of {@code epoch} (1-based) are crops. */
  boolean covers(int epoch) {
    return epoch <= epochs;
  }
}
