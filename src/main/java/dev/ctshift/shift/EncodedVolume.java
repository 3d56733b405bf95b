package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * One preprocessed volume with its slice latents and their reconstruction, made once and explained
 * for any number of objectives ({@link LatentShiftExplainer#explain(EncodedVolume, float, float,
 * Consumer)}). Owns the latents and the reconstruction on a manager of its own; every explanation
 * reads them and makes its own arrays in a sub-manager that it closes, so one objective's arrays
 * never outlive its explanation.
 *
 * <pre>{@code
 * try (EncodedVolume v = EncodedVolume.encode(ae, manager, volume, d, h, w, 32, log)) {
 *   v.scoreOutputs(model, objectives);       // optional: one model pass on the scan and one on its reconstruction
 *   for (Objective o : objectives) {
 *     Explanation e = new LatentShiftExplainer(ae, model, o, config).explain(v, 0f, 1f, log);
 *   }
 * }
 * }</pre>
 */
public final class EncodedVolume implements AutoCloseable {
  private final NDManager manager;
  private final float[] volume;
  private final int depth;
  private final int height;
  private final int width;
  private final NDArray latents;
  private final NDArray reconstruction;
  private final double seconds;
  private final Map<Integer, Double> scanLinks = new HashMap<>();
  private final Map<Integer, Double> reconstructionLinks = new HashMap<>();

  private EncodedVolume(NDManager manager, float[] volume, int depth, int height, int width, NDArray latents,
      NDArray reconstruction, double seconds) {
    this.manager = manager;
    this.volume = volume;
    this.depth = depth;
    this.height = height;
    this.width = width;
    this.latents = latents;
    this.reconstruction = reconstruction;
    this.seconds = seconds;
  }

  /**
   * Encodes every slice of {@code volume} and decodes the latents again, {@code batch} slices at a
   * time, without gradient.
   *
   * @param volume {@code [D][H][W]} values, W fastest (kept, not copied: do not modify)
   */
  public static EncodedVolume encode(SliceAutoencoder autoencoder, NDManager parent, float[] volume, int depth,
      int height, int width, int batch, Consumer<String> progress) {
    long t = System.nanoTime();
    progress.accept("encoding " + depth + " slices of " + height + "x" + width);
    NDManager manager = parent.newSubManager();
    try (SliceLatentSpace space = SliceLatentSpace.autoencoderOnly(autoencoder, manager, depth, height, width)) {
      NDArray x = space.upload(volume);
      NDArray latents = space.encode(x, batch);
      NDArray reconstruction = space.decode(latents, batch);
      latents.attach(manager);
      reconstruction.attach(manager);
      return new EncodedVolume(manager, volume, depth, height, width, latents, reconstruction,
          (System.nanoTime() - t) / 1e9);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Runs the whole model once on the scan and once on its reconstruction and keeps the link of every
   * objective given. Explanations of those objectives then read their score at λ = 0 of the volume
   * they do not take the gradient at from here instead of running the model again, and
   * {@link #scanScore} answers for each of them.
   */
  public void scoreOutputs(VolumeModel model, List<Objective> objectives) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(volume, new Shape(1, 1, depth, height, width));
      NDArray r = reconstruction.reshape(1, 1, depth, height, width);
      r.attach(scope);
      NDArray onScan = model.forward(x, false);
      onScan.attach(scope);
      NDArray onReconstruction = model.forward(r, false);
      onReconstruction.attach(scope);
      for (Objective o : objectives) {
        scanLinks.put(o.index(), o.link(onScan).toType(DataType.FLOAT64, false).getDouble());
        reconstructionLinks.put(o.index(), o.link(onReconstruction).toType(DataType.FLOAT64, false).getDouble());
      }
    }
  }

  /** The objective's score on the scan from {@link #scoreOutputs}, if it was scored there. */
  public OptionalDouble scanScore(Objective objective) {
    Double link = scanLinks.get(objective.index());
    return link == null ? OptionalDouble.empty() : OptionalDouble.of(objective.score(link));
  }

  /** The objective's link on the scan or its reconstruction from {@link #scoreOutputs}, if scored. */
  OptionalDouble sharedLink(Objective objective, boolean onReconstruction) {
    Double link = (onReconstruction ? reconstructionLinks : scanLinks).get(objective.index());
    return link == null ? OptionalDouble.empty() : OptionalDouble.of(link);
  }

  /** Seconds spent encoding and decoding. */
  public double seconds() {
    return seconds;
  }

  NDManager manager() {
    return manager;
  }

  float[] volume() {
    return volume;
  }

  int depth() {
    return depth;
  }

  int height() {
    return height;
  }

  int width() {
    return width;
  }

  NDArray latents() {
    return latents;
  }

  NDArray reconstruction() {
    return reconstruction;
  }

  @Override
  public void close() {
    manager.close();
  }
}
