package dev.ctshift.train;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Places and cuts the crops of {@link FindingCrops}. Volumes are C-order arrays of {@code full} =
 * {depth, height, width}. Remembers each region map's finding voxels (by identity), found once and
 * drawn from in every crop epoch. Not thread-safe.
 */
final class CropSampler {
  private final Map<int[], int[]> findingVoxels = new IdentityHashMap<>();

  /**
   * Where a crop of {@code size} starts: about a random voxel of the supervised findings when the
   * volume has some and a coin says so, else uniformly at random.
   */
  int[] origin(int[] region, int[] regionClass, int[] full, int[] size, Random random) {
    boolean centred = random.nextBoolean();
    int[] voxels = centred ? findingVoxels.computeIfAbsent(region, r -> findingVoxels(r, regionClass)) : null;
    int[] centre = null;
    if (voxels != null && voxels.length > 0) {
      int j = voxels[random.nextInt(voxels.length)];
      centre = new int[] {j / (full[1] * full[2]), j / full[2] % full[1], j % full[2]};
    }
    int[] origin = new int[3];
    for (int a = 0; a < 3; a++) {
      int last = full[a] - size[a];
      if (centre == null) {
        origin[a] = random.nextInt(last + 1);
      } else {
        int jitter = random.nextInt(2 * FindingCrops.JITTER + 1) - FindingCrops.JITTER;
        origin[a] = Math.max(0, Math.min(last, centre[a] - size[a] / 2 + jitter));
      }
    }
    return origin;
  }

  /** The indices of the voxels of {@code region} that belong to some output's finding, ascending. */
  private static int[] findingVoxels(int[] region, int[] regionClass) {
    return IntStream.range(0, region.length)
        .filter(j -> Arrays.stream(regionClass).anyMatch(c -> c > 0 && region[j] == c)).toArray();
  }

  static float[] crop(float[] volume, int[] full, int[] origin, int[] size) {
    return copyBlock(volume, full, origin, size, new float[size[0] * size[1] * size[2]]);
  }

  static int[] crop(int[] volume, int[] full, int[] origin, int[] size) {
    return copyBlock(volume, full, origin, size, new int[size[0] * size[1] * size[2]]);
  }

  /** Copies the {@code size} block at {@code origin} of a C-order array of {@code full} into {@code out}. */
  private static <A> A copyBlock(A volume, int[] full, int[] origin, int[] size, A out) {
    for (int d = 0; d < size[0]; d++) {
      for (int h = 0; h < size[1]; h++) {
        System.arraycopy(volume, ((origin[0] + d) * full[1] + origin[1] + h) * full[2] + origin[2],
            out, (d * size[1] + h) * size[2], size[2]);
      }
    }
    return out;
  }
}
