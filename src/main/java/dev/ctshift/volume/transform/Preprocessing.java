package dev.ctshift.volume.transform;

import dev.ctshift.model.ModelManifest;
import dev.ctshift.volume.Volume;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A pipeline of {@link VolumeTransform}s that takes a scan in HU and its own geometry into a
 * model's input space, and maps model-space volumes back onto the scan.
 *
 * <p><b>Model space.</b> A {@link Volume} with nx = W (columns, axis i), ny = H (rows, axis j),
 * nz = D (slices, axis k), voxel axes oriented as the manifest's codes and values in its
 * {@code range}. Tensor layout is not handled here.
 *
 * <pre>{@code
 * Preprocessing pre = Preprocessing.fromManifest(manifest.input());
 * Preprocessing.Prepared p = pre.prepare(scanHu);
 * Volume x = p.volume();                       // feed to the model
 * Volume cfHu = p.toScanHu(counterfactual);    // same grid and units as scanHu
 * Volume diff = p.toScanGrid(difference);      // same grid as scanHu, model units
 * }</pre>
 */
public final class Preprocessing {
  private final List<VolumeTransform> transforms;

  /** A pipeline applying {@code transforms} in order (the list is copied). */
  public Preprocessing(List<VolumeTransform> transforms) {
    this.transforms = List.copyOf(transforms);
  }

  /**
   * The manifest's pipeline: Orient, then Spacing (if {@code spacingMm} is given),
   * ScaleIntensityRange (huWindow onto range, clipped), ResizeWithPadOrCrop (if {@code size} [H, W]
   * is given) and DivisiblePadDepth (if {@code depthMultiple > 1} or {@code minDepth > 1}). Padding uses {@code range[0]},
   * the image of the window's low end, i.e. air for a CT window.
   */
  public static Preprocessing fromManifest(ModelManifest.Input input) {
    List<VolumeTransform> steps = new ArrayList<>();
    steps.add(new Orient(input.orientation()));
    if (input.spacingMm() != null) {
      steps.add(new Spacing(input.spacingMm()));
    }
    double[] window = input.huWindow();
    double[] range = input.range();
    steps.add(new ScaleIntensityRange(window[0], window[1], range[0], range[1], true));
    float air = (float) range[0];
    if (input.size() != null) {
      steps.add(new ResizeWithPadOrCrop(input.size()[0], input.size()[1], air));
    }
    if (input.depthMultiple() > 1 || input.minDepth() > 1) {
      steps.add(new DivisiblePadDepth(input.depthMultiple(), input.minDepth(), air));
    }
    return new Preprocessing(steps);
  }

  /** The transforms in the order they are applied (unmodifiable). */
  public List<VolumeTransform> transforms() {
    return transforms;
  }

  /** {@link VolumeTransform#describe()} of each step, in order. */
  public List<String> steps() {
    List<String> d = new ArrayList<>();
    for (VolumeTransform t : transforms) {
      d.add(t.describe());
    }
    return Collections.unmodifiableList(d);
  }

  /**
   * Input units (HU) per model-space unit: the product of {@code 1 / scale()} of the
   * {@link ScaleIntensityRange} steps, 1 if there are none. E.g. 2000 for [-1000, 1000] -> [0, 1].
   */
  public double huPerUnit() {
    double f = 1;
    for (VolumeTransform t : transforms) {
      if (t instanceof ScaleIntensityRange s) {
        f /= s.scale();
      }
    }
    return f;
  }

  /**
   * Runs the pipeline on {@code scanHu} (not modified). The result keeps the geometry of every
   * step's input but no intermediate voxel data.
   */
  public Prepared prepare(Volume scanHu) {
    List<VolumeGeometry> inputs = new ArrayList<>(transforms.size());
    Volume v = scanHu;
    for (VolumeTransform t : transforms) {
      inputs.add(VolumeGeometry.of(v));
      v = t.apply(v);
    }
    return new Prepared(v, inputs);
  }

  /** A scan in model space, with what it takes to map model-space volumes back onto the scan. */
  public final class Prepared {
    private final Volume volume;
    private final List<VolumeGeometry> inputs;

    private Prepared(Volume volume, List<VolumeGeometry> inputs) {
      this.volume = volume;
      this.inputs = List.copyOf(inputs);
    }

    /**
     * The scan in model space. It may share its array with the scan if no step changed anything;
     * treat it as read-only.
     */
    public Volume volume() {
      return volume;
    }

    /** Slices in model space before the last depth padding (to the model's multiple or minimum). */
    public int unpaddedDepth() {
      for (int s = transforms.size() - 1; s >= 0; s--) {
        if (transforms.get(s) instanceof DivisiblePadDepth) {
          return inputs.get(s).nz();
        }
      }
      return volume.nz();
    }

    /** The grid of the scan given to {@link Preprocessing#prepare}. */
    public VolumeGeometry scanGeometry() {
      return inputs.isEmpty() ? VolumeGeometry.of(volume) : inputs.get(0);
    }

    /**
     * Maps a model-space volume (e.g. a difference or heatmap) onto the scan's grid, inverting only
     * the spatial steps: values stay in model units (multiply by {@link #huPerUnit()} for HU
     * differences). Scan voxels the model space does not cover (cropped in-plane) get 0.
     *
     * @throws IllegalArgumentException if {@code modelSpace} is not on the grid of {@link #volume()}
     */
    public Volume toScanGrid(Volume modelSpace) {
      return invert(modelSpace, true);
    }

    /**
     * Maps a model-space volume (e.g. a counterfactual) back to the scan's grid and HU by inverting
     * every step. Values clipped by the window come back as the window's ends; scan voxels the model
     * space does not cover (cropped in-plane) come back as the pad value's HU (air).
     *
     * @throws IllegalArgumentException if {@code modelSpace} is not on the grid of {@link #volume()}
     */
    public Volume toScanHu(Volume modelSpace) {
      return invert(modelSpace, false);
    }

    private Volume invert(Volume modelSpace, boolean spatialOnly) {
      if (!VolumeGeometry.of(volume).holds(modelSpace, Grids.GRID_TOL_MM)) {
        throw new IllegalArgumentException("model-space volume [" + VolumeGeometry.of(modelSpace)
            + "] is not on the prepared grid [" + VolumeGeometry.of(volume) + "]");
      }
      Volume v = modelSpace;
      for (int n = transforms.size() - 1; n >= 0; n--) {
        VolumeTransform t = transforms.get(n);
        if (spatialOnly && !t.isSpatial()) {
          continue;
        }
        if (spatialOnly && t instanceof ResizeWithPadOrCrop r) {
          t = r.withPadValue(0f); // "no change" where a difference map has no data
        }
        v = t.invert(v, inputs.get(n));
      }
      return v;
    }

    /** See {@link Preprocessing#huPerUnit()}. */
    public double huPerUnit() {
      return Preprocessing.this.huPerUnit();
    }

    /** See {@link Preprocessing#steps()}. */
    public List<String> steps() {
      return Preprocessing.this.steps();
    }
  }
}
