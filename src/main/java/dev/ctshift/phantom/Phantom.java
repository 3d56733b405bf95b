package dev.ctshift.phantom;

import dev.ctshift.volume.Volume;

/**
 * A synthetic chest CT with its masks and ground truth.
 *
 * <p>{@code ct} holds Hounsfield units. Both volumes share one RAS+ affine with axis codes "RAS": i
 * toward the patient's Right, j Anterior, k Superior (axial slices, superior at higher k), diagonal
 * spacing, the scanner isocentre at the centre of the grid. {@code labels} holds one code per voxel:
 * {@link #BACKGROUND}, {@link #LUNG} (aerated lung including its vessels), {@link #EFFUSION},
 * {@link #HEART} (myocardium and cardiac blood pool), {@link #NODULE} (nodules lie inside the lungs
 * and take precedence over the lung code) or {@link #MARKER} (a dense bead in the air in front of the
 * chest: not anatomy, a spurious feature for shortcut audits). The record wraps its volumes without copying.
 */
public record Phantom(Volume ct, Volume labels, PhantomAttributes attributes) {
  public static final int BACKGROUND = 0;
  public static final int LUNG = 1;
  public static final int EFFUSION = 2;
  public static final int HEART = 3;
  public static final int NODULE = 4;
  public static final int MARKER = 5;

  /** A new 0/1 volume that is 1 where {@code labels} equals {@code code}. */
  public Volume mask(int code) {
    float[] l = labels.data();
    float[] m = new float[l.length];
    for (int v = 0; v < l.length; v++) {
      m[v] = l[v] == code ? 1f : 0f;
    }
    return labels.withData(m);
  }
}
