package dev.ctshift.report.html;

import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;

/**
 * The voxel grid of a scan re-indexed for display in radiological convention, the order the HTML
 * report's arrays use: {@code x} runs from the patient's right to left, {@code y} from anterior to
 * posterior, {@code z} from inferior to superior, flat index {@code x + nx * (y + ny * z)}. An axial
 * image at fixed z then has anterior at the top and the patient's right on the left, like
 * {@link dev.ctshift.report.render.SliceView}; coronal and sagittal images put superior at the top.
 *
 * <p>The mapping follows the affine's closest world axes, so RAS, LPS, LAS or swapped storage all give
 * the same display arrays; oblique affines are shown on their closest axes without reslicing.
 */
final class DisplayGrid {
  private final int[] sourceDims;
  /** For each display axis (x, y, z), the voxel axis that feeds it. */
  private final int[] sourceAxis = new int[3];
  /** For each display axis, whether its index runs against the voxel index. */
  private final boolean[] flipped = new boolean[3];
  private final int[] dims = new int[3];
  private final double[] spacing = new double[3];

  DisplayGrid(Volume v) {
    sourceDims = v.dims();
    int[] world = Orientation.closestWorldAxes(v.affine());
    String codes = v.orientation();
    double[] voxelSpacing = v.spacing();
    for (int a = 0; a < 3; a++) {
      int d = world[a];
      sourceAxis[d] = a;
      boolean positive = Orientation.isPositive(codes.charAt(a));
      // x and y run toward the negative RAS end (L, P); z toward the positive end (S).
      flipped[d] = d == 2 ? !positive : positive;
      dims[d] = sourceDims[a];
      spacing[d] = voxelSpacing[a];
    }
  }

  /** Display dimensions {nx, ny, nz}. */
  int[] dims() {
    return dims.clone();
  }

  /** Display voxel size in mm along x, y, z. */
  double[] spacing() {
    return spacing.clone();
  }

  /** The display axis (0 x, 1 y, 2 z) that voxel axis k of the scan became. */
  int displayAxisOfK() {
    for (int d = 0; d < 3; d++) {
      if (sourceAxis[d] == 2) {
        return d;
      }
    }
    throw new IllegalStateException("no display axis for k");
  }

  /** Whether display index runs against voxel index k ({@code display = n - 1 - k}). */
  boolean kFlipped() {
    return flipped[displayAxisOfK()];
  }

  /** {@code values} (voxel order of the scan) in display order, rounded to integers and clamped to 16 bits. */
  short[] toDisplay(float[] values) {
    requireVoxels(values);
    return toDisplay(i -> toShort(values[i]));
  }

  /**
   * {@code frame - scan} (voxel order of the scan) in display order, each side rounded to whole HU
   * first, clamped to 16 bits.
   */
  short[] differenceToDisplay(float[] frame, float[] scan) {
    requireVoxels(frame);
    requireVoxels(scan);
    // Each side rounded as the page does for the scan, so scan + difference is the frame in whole HU.
    return toDisplay(i -> toShort(Math.round(frame[i]) - Math.round(scan[i])));
  }

  /** The 16-bit value of each voxel index, in display order. */
  private short[] toDisplay(IntToShort voxel) {
    short[] out = new short[sourceDims[0] * sourceDims[1] * sourceDims[2]];
    int[] sourceStride = {1, sourceDims[0], sourceDims[0] * sourceDims[1]};
    // Voxel index of display (0, 0, 0) and its step along each display axis.
    int origin = 0;
    int[] step = new int[3];
    for (int d = 0; d < 3; d++) {
      int stride = sourceStride[sourceAxis[d]];
      step[d] = flipped[d] ? -stride : stride;
      origin += flipped[d] ? (dims[d] - 1) * stride : 0;
    }
    int n = 0;
    for (int z = 0; z < dims[2]; z++) {
      for (int y = 0; y < dims[1]; y++) {
        int i = origin + z * step[2] + y * step[1];
        for (int x = 0; x < dims[0]; x++, i += step[0]) {
          out[n++] = voxel.at(i);
        }
      }
    }
    return out;
  }

  private interface IntToShort {
    short at(int voxelIndex);
  }

  private void requireVoxels(float[] values) {
    if (values.length != sourceDims[0] * sourceDims[1] * sourceDims[2]) {
      throw new IllegalArgumentException("expected " + sourceDims[0] * sourceDims[1] * sourceDims[2]
          + " values, got " + values.length);
    }
  }

  private static short toShort(float v) {
    if (Float.isNaN(v)) {
      return 0;
    }
    return toShort(Math.round(v));
  }

  private static short toShort(int v) {
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
  }
}
