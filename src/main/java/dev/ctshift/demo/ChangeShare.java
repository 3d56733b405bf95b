package dev.ctshift.demo;

import dev.ctshift.evaluate.MapMetrics;
import dev.ctshift.evaluate.MaskDilation;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.volume.Volume;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where an explanation changed the scan: the share of the absolute change of a difference volume
 * (e.g. {@code difference.nii.gz} of {@code ctshift explain}) inside a label of a label map on the
 * same grid, dilated by whole voxels.
 *
 * @param share sum of |difference| inside the region over the sum everywhere
 * @param volumeShare the region's share of all voxels
 * @param outsideByLabel for each label code with voxels outside the region, in ascending order, the
 *     sum of |difference| over those voxels over the sum everywhere
 */
public record ChangeShare(double share, double volumeShare, SortedMap<Integer, Double> outsideByLabel) {
  /**
   * The change share of label {@code code}, dilated by {@code dilate} voxels (26-neighbourhood per
   * step).
   *
   * @throws VolumeReadException if a file cannot be read or the grids differ
   */
  public static ChangeShare of(Path difference, Path labels, int code, int dilate) throws VolumeReadException {
    Volume diff = NiftiReader.readVolume(difference);
    Volume map = NiftiReader.readVolume(labels);
    if (!diff.sameGeometry(map, 1e-3)) {
      throw new VolumeReadException(labels + ": grid " + map + " differs from the difference volume's " + diff);
    }
    boolean[] region = new boolean[map.voxelCount()];
    for (int v = 0; v < region.length; v++) {
      region[v] = Math.round(map.data()[v]) == code;
    }
    region = MaskDilation.dilateVoxels(region, map.nx(), map.ny(), map.nz(), dilate);
    double total = 0;
    SortedMap<Integer, Double> outside = new TreeMap<>();
    for (int v = 0; v < region.length; v++) {
      double a = Math.abs(diff.data()[v]);
      total += a;
      if (!region[v]) {
        outside.merge(Math.round(map.data()[v]), a, Double::sum);
      }
    }
    double sum = total;
    outside.replaceAll((label, a) -> sum == 0 ? Double.NaN : a / sum);
    return new ChangeShare(MapMetrics.shareInside(diff.data(), region),
        MapMetrics.count(region) / (double) region.length, outside);
  }
}
