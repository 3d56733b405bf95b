package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.ctshift.engine.TorchRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Makes the frames of the path (plus the residual when asked) and scores them. The last two frames
 * stay on the device, so the sweep does not recompute λ* and a restart takes its gradient there;
 * only frames the sweep keeps are copied to the host.
 */
final class FrameMaker {
  private final Objective objective;
  private final SliceLatentSpace space;
  private final NDArray reconstruction;
  private final NDArray x;
  private final float[] xValues;
  private final NDArray base;
  private final boolean residual;
  private final float low;
  private final float high;
  private final double meanAbsInput;
  private final int batch;
  private final double baseScore;
  private final List<Segment> segments = new ArrayList<>();
  private final Map<Double, Scored> recent = new LinkedHashMap<>();

  /** A frame on the device with its score. */
  private record Scored(double score, NDArray volume) {}

  /** @param xValues the values of {@code x} on the host (shared, not copied, as the scan's frame) */
  FrameMaker(Objective objective, SliceLatentSpace space, NDArray reconstruction, NDArray x, float[] xValues,
      boolean residual, float low, float high, double meanAbsInput, int batch, double baseScore) {
    this.objective = objective;
    this.space = space;
    this.reconstruction = reconstruction;
    this.x = x;
    this.xValues = xValues;
    this.base = residual ? x : reconstruction;
    this.residual = residual;
    this.low = low;
    this.high = high;
    this.meanAbsInput = meanAbsInput;
    this.batch = batch;
    this.baseScore = baseScore;
  }

  /** Continues the path with a segment that starts where the path so far ends. */
  void extend(Segment segment) {
    segments.add(segment);
  }

  /** The path coordinate where each segment, i.e. each gradient, starts: 0 first. */
  List<Double> segmentStarts() {
    return segments.stream().map(Segment::offset).toList();
  }

  /** Makes and scores the frame at path coordinate λ and measures its change. */
  Step step(double lambda, Consumer<String> progress) {
    Scored f = make(lambda);
    double change;
    try (NDScope temporaries = new NDScope()) {
      change = f.volume().sub(base).abs().mean().toType(DataType.FLOAT64, false)
          .getDouble() / Math.max(meanAbsInput, 1e-12);
    }
    progress.accept(String.format("search: lambda %.4g, score %.4f, change %.2f%%", lambda, f.score(),
        100 * change));
    return new Step(lambda, objective.link(f.score()), f.score(), change);
  }

  /** The frame at λ, from the device cache (λ = 0 is always known) or newly made and scored. */
  Explanation.Frame frame(double lambda) {
    if (lambda == 0) {
      // In residual mode the frame at λ = 0 is the scan: its host array, not one more copy of it.
      return new Explanation.Frame(0, baseScore, residual ? xValues : base.toFloatArray());
    }
    Scored f = recent.containsKey(lambda) ? recent.get(lambda) : make(lambda);
    return new Explanation.Frame(lambda, f.score(), f.volume().toFloatArray());
  }

  /** Whether {@link #frame} can answer without a model evaluation. */
  boolean isKnown(double lambda) {
    return lambda == 0 || recent.containsKey(lambda);
  }

  /** The frame volume at λ on the device (owned by this maker: do not close). */
  NDArray volume(double lambda) {
    return recent.containsKey(lambda) ? recent.get(lambda).volume() : make(lambda).volume();
  }

  private Scored make(double lambda) {
    NDArray volume;
    // Results of NDArray operations join their first operand's manager: the scope closes the
    // intermediate volumes of every step, which would otherwise stay until the explanation ends.
    try (NDScope temporaries = new NDScope()) {
      Segment segment = segmentAt(lambda);
      NDArray decoded = space.decode(segment.latents((lambda - segment.offset()) / segment.scale()), batch);
      volume = residual ? x.add(decoded).sub(reconstruction).clip(low, high) : decoded;
      NDScope.unregister(volume);
    }
    // The decode has just freed its batches into glibc's heap; the model pass is the largest allocation
    // of the evaluation, so give that memory back first instead of holding both (docs/PERFORMANCE.md).
    TorchRuntime.releaseFreedMemory();
    Scored f = new Scored(objective.score(space.link(volume)), volume);
    recent.put(lambda, f);
    while (recent.size() > 2) {
      Double oldest = recent.keySet().iterator().next();
      recent.remove(oldest).volume().close();
    }
    return f;
  }

  /** The last segment that starts at or before λ along the path (which moves away from 0). */
  private Segment segmentAt(double lambda) {
    Segment at = segments.get(0);
    for (Segment s : segments) {
      if (Math.abs(lambda) >= Math.abs(s.offset())) {
        at = s;
      }
    }
    return at;
  }
}
