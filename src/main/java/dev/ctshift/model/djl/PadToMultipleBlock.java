package dev.ctshift.model.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Runs a 3D network on an {@code [N, C, D, H, W]} input zero-padded at the far end of each spatial
 * axis to a multiple of {@code multiple}, then crops the output back to {@code D, H, W}, so that a
 * U-Net with pooling accepts any volume size. Both steps are differentiable.
 */
final class PadToMultipleBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final Block inner;
  private final int multiple;

  PadToMultipleBlock(Block inner, int multiple) {
    super(VERSION);
    this.inner = addChildBlock("inner", inner);
    this.multiple = multiple;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    NDArray padded = x;
    for (int axis = 2; axis < 5; axis++) {
      long missing = padded(s.get(axis)) - s.get(axis);
      if (missing > 0) {
        Shape zs = padded.getShape().slice(0, axis).add(missing).addAll(padded.getShape().slice(axis + 1));
        padded = padded.concat(x.getManager().zeros(zs, x.getDataType()), axis);
      }
    }
    NDArray out = inner.forward(ps, new NDList(padded), training, params).singletonOrThrow();
    if (padded == x) {
      return new NDList(out);
    }
    return new NDList(out.get(new NDIndex(":, :, 0:{}, 0:{}, 0:{}", s.get(2), s.get(3), s.get(4))));
  }

  private long padded(long size) {
    return (size + multiple - 1) / multiple * multiple;
  }

  private Shape paddedShape(Shape s) {
    return new Shape(s.get(0), s.get(1), padded(s.get(2)), padded(s.get(3)), padded(s.get(4)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    Shape out = inner.getOutputShapes(new Shape[] {paddedShape(in)})[0];
    return new Shape[] {new Shape(out.get(0), out.get(1), in.get(2), in.get(3), in.get(4))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    inner.initialize(manager, dataType, paddedShape(inputShapes[0]));
  }
}
