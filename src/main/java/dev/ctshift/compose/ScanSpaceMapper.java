package dev.ctshift.compose;

import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;

/**
 * Maps model-space results back onto the scan's own grid and Hounsfield units.
 *
 * <p>A frame is mapped as the scan plus its model-space <em>difference</em> from the preprocessed scan:
 * {@code hu = scan + toScanGrid(frame - x) * huPerUnit}. So voxels the shift leaves alone keep their
 * exact original values (also outside the HU window and outside an in-plane crop), and λ = 0 in
 * residual mode gives back the scan bit for bit. In reconstruction mode the same formula carries the
 * autoencoder's reconstruction error into the frames, as that mode intends.
 */
public final class ScanSpaceMapper {
  private final Preprocessing.Prepared prepared;
  private final Volume scanHu;
  private final float[] x;

  /** @param scanHu the scan that {@code prepared} was made from */
  public ScanSpaceMapper(Preprocessing.Prepared prepared, Volume scanHu) {
    this.prepared = prepared;
    this.scanHu = scanHu;
    this.x = prepared.volume().data();
  }

  /** A model-space frame ({@code [D][H][W]}, model units) as an HU volume on the scan's grid (new). */
  public Volume frameHu(float[] frame) {
    return frameHuOverwriting(frame.clone());
  }

  /**
   * {@link #frameHu}, using {@code frame} itself for its difference from the preprocessed scan (it is
   * overwritten): for a frame nothing reads afterwards, one volume less to allocate. The preprocessed
   * scan's own array (the frame at λ = 0 in residual mode) is not overwritten.
   */
  public Volume frameHuOverwriting(float[] frame) {
    float[] diff = frame == x ? new float[x.length] : frame;
    for (int i = 0; i < diff.length; i++) {
      diff[i] = frame[i] - x[i];
    }
    float[] back = prepared.toScanGrid(prepared.volume().withData(diff)).data();
    float[] scan = scanHu.data();
    float[] out = new float[scan.length];
    float scale = (float) prepared.huPerUnit();
    for (int i = 0; i < out.length; i++) {
      out[i] = scan[i] + back[i] * scale;
    }
    return scanHu.withData(out);
  }

  /** A non-negative model-space change map (model units) as HU on the scan's grid (new). */
  public Volume changeHu(float[] change) {
    float[] back = prepared.toScanGrid(prepared.volume().withData(change.clone())).data();
    float scale = (float) prepared.huPerUnit();
    float[] out = new float[back.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.abs(back[i]) * scale;
    }
    return scanHu.withData(out);
  }

  /** {@code a - b}, voxel by voxel, on a's grid (new). */
  public static Volume difference(Volume a, Volume b) {
    float[] d = new float[a.voxelCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = a.data()[i] - b.data()[i];
    }
    return a.withData(d);
  }
}
