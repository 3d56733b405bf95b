package dev.ctshift.model.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.VolumeModel;
import java.util.List;

/**
 * A trained {@code classifier3d} ({@code [1, K]} logits) or {@code segmenter3d}
 * ({@code [1, C, D, H, W]} logits) seen as a {@link VolumeModel}. Input {@code [1, 1, D, H, W]}
 * (NCDHW, as the networks are trained). Weights are frozen, so a differentiable forward records
 * gradients for the volume only. Owns the network and closes it.
 */
public final class DjlVolumeModel implements VolumeModel {
  private final ModelManifest manifest;
  private final DjlNetwork network;

  /** Wraps {@code network} (taking ownership) and freezes its weights. */
  public DjlVolumeModel(ModelManifest manifest, DjlNetwork network) {
    if (network.architecture() == Architecture.SLICE_AE) {
      throw new IllegalArgumentException("not a volume model: " + network);
    }
    this.manifest = manifest;
    this.network = network;
    network.freeze(true);
  }

  /** @throws IllegalArgumentException if {@code volume} is not {@code [1, 1, D, H, W]} */
  @Override
  public NDArray forward(NDArray volume, boolean differentiable) {
    return run(network.block(), volume, differentiable);
  }

  private NDArray run(Block block, NDArray volume, boolean differentiable) {
    long[] s = volume.getShape().getShape();
    if (s.length != 5 || s[0] != 1 || s[1] != 1) {
      throw new IllegalArgumentException(
          manifest.name() + ": volume must be [1, 1, D, H, W], got " + volume.getShape());
    }
    NDArray input = differentiable ? volume : volume.stopGradient();
    return block.forward(network.parameterStore(), new NDList(input), false).singletonOrThrow();
  }

  /**
   * For a classifier of several trunks ({@code trunk} groups, e.g. "2+1") whose outputs are
   * independent (sigmoid or none, not softmax): a view that runs only the trunk of output
   * {@code index}, NaN for the other outputs. A combined classifier explained for one output then
   * costs one network, not all.
   */
  @Override
  public VolumeModel forOutput(int index) {
    if (network.architecture() != Architecture.CLASSIFIER_3D
        || manifest.activation() == ModelManifest.Activation.SOFTMAX) {
      return this;
    }
    Classifier3d args = network.architectureArgs(Classifier3d.class);
    int outputs = args.outputs();
    int[] groups = args.trunkGroups();
    if (groups.length < 2 || index < 0 || index >= outputs) {
      return this;
    }
    int group = 0;
    int first = 0;
    while (index >= first + groups[group]) {
      first += groups[group++];
    }
    // classifier3d with groups: [ParallelBlock of trunks, smooth maximum] for classmap, else the
    // ParallelBlock alone; each trunk gives its group's evidence maps or logits.
    Block whole = network.block();
    boolean classmap = "classmap".equals(args.head());
    List<Block> parts = whole.getChildren().values();
    Block trunk = (classmap ? parts.get(0) : whole).getChildren().get(group).getValue();
    Block smoothMax = classmap ? parts.get(1) : null;
    int before = first;
    int after = outputs - first - groups[group];
    return new VolumeModel() {
      @Override
      public NDArray forward(NDArray volume, boolean differentiable) {
        NDArray logits = run(trunk, volume, differentiable);
        if (smoothMax != null) {
          logits = smoothMax.forward(network.parameterStore(), new NDList(logits), false).singletonOrThrow();
        }
        NDList row = new NDList();
        if (before > 0) {
          row.add(logits.getManager().full(new Shape(1, before), Float.NaN));
        }
        row.add(logits);
        if (after > 0) {
          row.add(logits.getManager().full(new Shape(1, after), Float.NaN));
        }
        return NDArrays.concat(row, 1); // some other trunk exists, so the row has two parts at least
      }

      @Override
      public ModelManifest manifest() {
        return manifest;
      }

      @Override
      public void close() {
        // the view owns nothing
      }
    };
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public void close() {
    network.close();
  }
}
