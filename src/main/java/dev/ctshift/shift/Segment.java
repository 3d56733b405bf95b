package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;

/**
 * One straight piece of the shift path: latents {@code origin + λ·direction}, starting at path
 * coordinate {@code offset}, where one unit of λ is {@code scale} units of the path coordinate.
 */
record Segment(NDArray origin, NDArray direction, double offset, double scale) {
  double position(double lambda) {
    return offset + scale * lambda;
  }

  NDArray latents(double lambda) {
    return origin.add(direction.mul(lambda));
  }
}
