package dev.ctshift.model.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.pooling.Pool;

/** Small building blocks shared by the architectures. */
final class Layers {
  private Layers() {}

  /** A 2D convolution with "same" padding for odd kernels. */
  static Block conv2d(int filters, int kernel, int stride) {
    int pad = kernel / 2;
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad))
        .build();
  }

  /** A 3D convolution with "same" padding for odd kernels, stride 1. */
  static Block conv3d(int filters, int kernel) {
    int pad = kernel / 2;
    return Conv3d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel, kernel))
        .optPadding(new Shape(pad, pad, pad))
        .build();
  }

  /** 2x2x2 max pooling with stride 2 (DJL's default stride would be 1). */
  static Block maxPool3dHalf() {
    return Pool.maxPool3dBlock(new Shape(2, 2, 2), new Shape(2, 2, 2));
  }

  /** Maps inputs from [0, 1] to [-1, 1]: zero-centred inputs train faster without normalisation layers. */
  static Block centre() {
    return new LambdaBlock(list -> new NDList(list.singletonOrThrow().mul(2f).sub(1f)));
  }

  /**
   * Nearest-neighbour upsampling by 2 along every spatial axis (axes 2 and up of NCHW / NCDHW).
   * DJL's transposed convolution is not implemented on the PyTorch engine, hence repeat + conv.
   */
  static Block upsampleNearest2x() {
    return new LambdaBlock(list -> new NDList(upsample(list.singletonOrThrow())));
  }

  static NDArray upsample(NDArray x) {
    NDArray out = x;
    for (int axis = 2; axis < x.getShape().dimension(); axis++) {
      out = out.repeat(axis, 2);
    }
    return out;
  }
}
