package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;

/**
 * The tensor side of slice-based Latent Shift for one volume: slice latents, decoding, model
 * evaluation and the chunked latent gradient.
 *
 * <p>Volumes are held as slice batches {@code [D, 1, H, W]} and shown to the 3D model as
 * {@code [1, 1, D, H, W]} (same memory). All arrays live on the manager given to the constructor;
 * every temporary is created in a sub-manager that is closed before the method returns, so memory is
 * bounded by what the caller keeps.
 */
final class SliceLatentSpace implements AutoCloseable {
  private final SliceAutoencoder autoencoder;
  private final VolumeModel model;
  private final Objective objective;
  private final NDManager manager;
  private final int depth;
  private final int height;
  private final int width;
  private boolean channelsLastEncoding = true;

  SliceLatentSpace(SliceAutoencoder autoencoder, VolumeModel model, Objective objective, NDManager parent,
      int depth, int height, int width) {
    this.autoencoder = autoencoder;
    // Only the objective's output is read: a model of several networks may run just the one it needs.
    this.model = model == null ? null : model.forOutput(objective.index());
    this.objective = objective;
    this.manager = parent.newSubManager();
    this.depth = depth;
    this.height = height;
    this.width = width;
  }

  /** A space that only encodes and decodes (no model, no objective): for {@link EncodedVolume}. */
  static SliceLatentSpace autoencoderOnly(SliceAutoencoder autoencoder, NDManager parent, int depth, int height,
      int width) {
    return new SliceLatentSpace(autoencoder, null, null, parent, depth, height, width);
  }

  /** Wraps a host volume ({@code [D][H][W]} order, W fastest) as {@code [D, 1, H, W]} on the device. */
  NDArray upload(float[] values) {
    return manager.create(values, new Shape(depth, 1, height, width));
  }

  /** Encodes every slice, {@code batch} slices at a time (0: by slice size), without gradient. */
  NDArray encode(NDArray slices, int batch) {
    return TorchRuntime.evaluation(() -> encodeBatches(slices, batch > 0 ? batch : defaultBatch()));
  }

  /**
   * Each batch's latents are copied straight into their rows of one output array, which puts them in
   * the standard (row-major) order on the way: an encoder fed channels-last slices returns
   * channels-last latents, and everything after encoding (decoder, gradients) is to run as before.
   * One copy per batch, no concatenation at the end.
   */
  private NDArray encodeBatches(NDArray slices, int batch) {
    NDArray all = null;
    for (int start = 0; start < depth; start += batch) {
      int end = Math.min(depth, start + batch);
      try (NDManager scope = manager.newSubManager()) {
        NDIndex rows = new NDIndex("{}:{}", start, end);
        NDArray part = slices.get(rows);
        part.attach(scope);
        NDArray latent = encodeBatch(part);
        if (latent.getShape().dimension() == 0 || latent.getShape().get(0) != end - start) {
          throw new IllegalStateException("the autoencoder encodes " + (end - start) + " slices to "
              + latent.getShape() + ": expected one latent per slice");
        }
        if (all == null) {
          all = manager.create(new Shape(depth).addAll(latent.getShape().slice(1)), latent.getDataType());
        }
        all.set(rows, latent);
      }
    }
    return all;
  }

  /**
   * One batch, in channels-last order unless this encoder has failed on it: an encoder that takes a
   * {@code view} of a convolution's output cannot run on channels-last activations, and is then given
   * the standard order for the rest of the volume (if that fails too, its error is the one reported).
   */
  private NDArray encodeBatch(NDArray part) {
    if (channelsLastEncoding) {
      try {
        return autoencoder.encode(channelsLast(part));
      } catch (IllegalStateException e) {
        NDArray latent = autoencoder.encode(part);
        channelsLastEncoding = false;
        return latent;
      }
    }
    return autoencoder.encode(part);
  }

  /**
   * The same slices {@code [n, 1, H, W]} and the same memory, with the strides of channels-last order:
   * libtorch then runs the encoder's convolutions on oneDNN's NHWC kernels, which need no reordering
   * between layers (at oneDNN's AVX limit, the reorders to and from its blocked format took about a
   * third of the encoding time; docs/PERFORMANCE.md). The values are the same to the bit, and the
   * self-test checks these kernels too. A dimension of size 1 has no stride that matters to any
   * other operation, so an encoder that reshapes its input sees an ordinary contiguous tensor.
   */
  private NDArray channelsLast(NDArray part) {
    return part.reshape(part.getShape().get(0), height, width, 1).transpose(0, 3, 1, 2);
  }

  /** Decodes latents {@code [D, ...]} into slices {@code [D, 1, H, W]}, {@code batch} at a time (0: by slice size). */
  NDArray decode(NDArray latents, int batch) {
    return TorchRuntime.evaluation(() -> decodeBatches(latents, batch > 0 ? batch : defaultBatch()));
  }

  private NDArray decodeBatches(NDArray latents, int batch) {
    NDList parts = new NDList();
    for (int start = 0; start < depth; start += batch) {
      int end = Math.min(depth, start + batch);
      try (NDManager scope = manager.newSubManager()) {
        NDArray part = latents.get(new NDIndex("{}:{}", start, end));
        part.attach(scope);
        NDArray decoded = autoencoder.decode(part, false);
        checkDecoded(decoded, end - start);
        decoded.attach(manager);
        parts.add(decoded);
      }
    }
    return concat(parts);
  }

  private int defaultBatch() {
    return ShiftConfig.slicesPerBatch(height, width);
  }

  private void checkDecoded(NDArray decoded, int count) {
    Shape expected = new Shape(count, 1, height, width);
    if (!decoded.getShape().equals(expected)) {
      throw new IllegalStateException("the autoencoder decodes " + count + " slices to " + decoded.getShape()
          + ", expected " + expected + ": its input size must match the model's in-plane size");
    }
  }

  /** The link value of the model on a volume {@code [D, 1, H, W]}, without gradient. */
  double link(NDArray volume) {
    return TorchRuntime.evaluation(() -> linkOf(volume));
  }

  private double linkOf(NDArray volume) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray v = volume.reshape(1, 1, depth, height, width);
      v.attach(scope);
      NDArray out = model.forward(v, false);
      out.attach(scope);
      return objective.link(out).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
    }
  }

  /** The link and its gradient with respect to the volume: one model forward and backward. */
  record VolumeGradient(double link, NDArray gradient) {}

  VolumeGradient volumeGradient(NDArray volume) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray view = volume.reshape(1, 1, depth, height, width);
      view.attach(scope);
      NDArray leaf = view.duplicate();
      leaf.setRequiresGradient(true);
      double link;
      try (GradientCollector collector = leaf.getManager().getEngine().newGradientCollector()) {
        NDArray out = model.forward(leaf, true);
        NDArray l = objective.link(out);
        link = l.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        collector.backward(l);
      }
      NDArray gradient = leaf.getGradient().reshape(depth, 1, height, width).duplicate();
      gradient.attach(manager);
      return new VolumeGradient(link, gradient);
    }
  }

  /**
   * The vector–Jacobian product {@code J_Dec(Z)^T · upstream} for all slices: by the chain rule, the
   * gradient of the score with respect to the latents when {@code upstream} is its gradient with
   * respect to the decoded volume. Decoder activations are held for {@code chunk} slices at a time.
   */
  NDArray latentGradient(NDArray latents, NDArray upstream, int chunk) {
    NDList parts = new NDList();
    for (int start = 0; start < depth; start += chunk) {
      int end = Math.min(depth, start + chunk);
      try (NDManager scope = manager.newSubManager()) {
        NDIndex range = new NDIndex("{}:{}", start, end);
        // The slice view is made on the latents' manager: move it here, or it stays there.
        NDArray part = latents.get(range);
        part.attach(scope);
        NDArray leaf = part.duplicate();
        leaf.setRequiresGradient(true);
        NDArray up = upstream.get(range);
        up.attach(scope);
        try (GradientCollector collector = leaf.getManager().getEngine().newGradientCollector()) {
          NDArray decoded = autoencoder.decode(leaf, true);
          checkDecoded(decoded, end - start);
          collector.backward(decoded.mul(up).sum());
        }
        NDArray g = leaf.getGradient().duplicate();
        g.attach(manager);
        parts.add(g);
      }
    }
    return concat(parts);
  }

  private NDArray concat(NDList parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    NDArray all = NDArrays.concat(parts);
    all.attach(manager);
    parts.close();
    return all;
  }

  /** The manager that owns this space's arrays. */
  NDManager manager() {
    return manager;
  }

  int depth() {
    return depth;
  }

  @Override
  public void close() {
    manager.close();
    TorchRuntime.releaseFreedMemory();
  }
}
