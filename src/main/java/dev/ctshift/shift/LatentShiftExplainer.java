package dev.ctshift.shift;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.shift.ShiftConfig.Composition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Slice-based Latent Shift in one call: encode every axial slice, take the gradient of the model's
 * score with respect to all slice latents (memory bounded by the chunk size), search the shift λ*,
 * and sweep frames from the counterfactual back to the scan.
 *
 * <pre>{@code
 * LatentShiftExplainer explainer = new LatentShiftExplainer(ae, classifier, objective, config);
 * try (NDManager manager = runtime.newManager()) {
 *   Explanation e = explainer.explain(manager, volume, depth, height, width, 0f, 1f, System.err::println);
 * }
 * }</pre>
 *
 * <p>The gradient follows the chain rule in two parts: one forward and backward of the 3D model on the
 * whole volume gives d link / d volume; then, chunk by chunk, a decoder forward and backward with that
 * upstream gradient gives d link / d latents. This is exact, and the model runs once, not once per
 * chunk.
 */
public final class LatentShiftExplainer {
  private final SliceAutoencoder autoencoder;
  private final VolumeModel model;
  private final Objective objective;
  private final ShiftConfig config;
  private final BiConsumer<String, Double> stageListener;

  public LatentShiftExplainer(SliceAutoencoder autoencoder, VolumeModel model, Objective objective,
      ShiftConfig config) {
    this(autoencoder, model, objective, config, (stage, seconds) -> { });
  }

  private LatentShiftExplainer(SliceAutoencoder autoencoder, VolumeModel model, Objective objective,
      ShiftConfig config, BiConsumer<String, Double> stageListener) {
    this.autoencoder = autoencoder;
    this.model = model;
    this.objective = objective;
    this.config = config;
    this.stageListener = stageListener;
  }

  /**
   * The same explainer, calling {@code listener} with each stage's name and seconds as the stage
   * ends (benchmarks use it to measure memory per stage).
   */
  public LatentShiftExplainer withStageListener(BiConsumer<String, Double> listener) {
    return new LatentShiftExplainer(autoencoder, model, objective, config, listener);
  }

  /**
   * Explains one preprocessed volume.
   *
   * @param volume {@code [D][H][W]} values, W fastest (not modified)
   * @param low lowest valid value of the model's range (residual frames are clipped to it)
   * @param high highest valid value
   * @param progress receives one line per stage and search step
   */
  public Explanation explain(NDManager manager, float[] volume, int depth, int height, int width,
      float low, float high, Consumer<String> progress) {
    try (EncodedVolume encoded = EncodedVolume.encode(autoencoder, manager, volume, depth, height, width,
        config.encodeBatch(), progress)) {
      stageListener.accept("encode", encoded.seconds());
      Explanation e = explain(encoded, low, high, progress);
      Map<String, Double> seconds = new LinkedHashMap<>();
      seconds.put("encode", encoded.seconds());
      seconds.putAll(e.seconds());
      return new Explanation(e.depth(), e.height(), e.width(), e.input(), e.reconstruction(), e.frames(),
          e.heatmap(), e.scanScore(), e.reconstructionScore(), e.search(), e.gradientNorm(), e.gradientsAt(),
          e.sweepEvaluations(), seconds, e.legs(), e.path());
    }
  }

  /**
   * Explains a volume encoded before, e.g. once for several objectives. Every array this explanation
   * makes lives in a sub-manager closed before returning: nothing of it stays on {@code encoded}.
   * The seconds of the result count this explanation's stages only (not the encoding).
   */
  public Explanation explain(EncodedVolume encoded, float low, float high, Consumer<String> progress) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    int depth = encoded.depth();
    int height = encoded.height();
    int width = encoded.width();
    float[] volume = encoded.volume();
    try (SliceLatentSpace space = new SliceLatentSpace(autoencoder, model, objective, encoded.manager(), depth,
        encoded.height(), encoded.width())) {
      long t = System.nanoTime();
      NDArray x = space.upload(volume);
      NDArray latents = encoded.latents();
      NDArray reconstruction = encoded.reconstruction();

      progress.accept("gradient of the " + objective.describe() + " for all " + depth + " slice latents, "
          + config.chunkSlices() + " slices at a time");
      boolean residual = config.composition() == Composition.RESIDUAL;
      NDArray base = residual ? x : reconstruction;
      SliceLatentSpace.VolumeGradient atBase = space.volumeGradient(base);
      double otherLink = encoded.sharedLink(objective, residual)
          .orElseGet(() -> space.link(residual ? reconstruction : x));
      double scanLink = residual ? atBase.link() : otherLink;
      double reconLink = residual ? otherLink : atBase.link();
      if (!Double.isFinite(scanLink) || !Double.isFinite(reconLink)) {
        throw new IllegalStateException("the model returned a score that is not a finite number (scan "
            + objective.score(scanLink) + ", reconstruction " + objective.score(reconLink)
            + "); no outputs written: check the model on this input");
      }
      t = lap(seconds, "model gradient", t);
      double scanScore = objective.score(scanLink);
      if (alreadyAtTarget(scanScore)) {
        progress.accept(String.format("the %s is %.4g, already where the search would stop: nothing is shifted",
            objective.describe(), scanScore));
        Explanation.Frame scan = new Explanation.Frame(0, scanScore, volume.clone());
        LambdaSearch.Result none = new LambdaSearch.Result(0, StopReason.ALREADY_AT_TARGET,
            List.of(new Step(0, scanLink, scanScore, 0)));
        return new Explanation(depth, height, width, volume.clone(), reconstruction.toFloatArray(), List.of(scan, scan),
            new float[volume.length], scanScore, objective.score(reconLink), none, 0, List.of(), 0, seconds, List.of(),
            "none");
      }
      NDArray gradient = focus(space.latentGradient(latents, atBase.gradient(), config.chunkSlices()));
      atBase.gradient().close();
      // Along the (focused) direction d, the link changes at first order by g . d = |d|^2.
      double slope;
      try (NDScope temporaries = new NDScope()) {
        slope = gradient.square().sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
      }
      t = lap(seconds, "latent gradient", t);

      Step start = new Step(0, atBase.link(), objective.score(atBase.link()), 0);
      FrameMaker frames = new FrameMaker(objective, space, reconstruction, x, volume, residual, low, high,
          meanAbs(volume), config.encodeBatch(), start.score());
      FrameMaker chosen = frames;
      String pathName;
      LambdaSearch.Result search;
      List<Explanation.Leg> legs = new ArrayList<>();
      if (config.search() == ShiftConfig.Search.REFERENCE) {
        // The original code shifts along the gradient of the score itself, not of its log-odds.
        Segment along = new Segment(latents, gradient.mul(objective.scorePerLink(atBase.link())), 0, 1);
        frames.extend(along);
        search = LambdaSearch.reference(l -> frames.step(l, progress), start, config);
        legs.add(new Explanation.Leg(0, search.reason(), search.evaluations(), 1));
        pathName = "reference";
      } else {
        Segment first = new Segment(latents, gradient, 0, 1);
        search = shiftAlongGradients(space, frames, first, start, slope, config, 1, legs, progress);
        pathName = legs.size() > 1 ? "restarted" : "straight";
        int left = config.searchBudget() - search.evaluations();
        if (search.reason() != StopReason.REACHED_TARGET && search.reason() != StopReason.NO_GRADIENT
            && config.restarts() > 0 && config.relinearizeEvery() == 0 && left >= RETRY_EVERY) {
          // The straight line (and its restarts) fell short: often the line ran nearly flat and spent the
          // change budget. Search again from the scan along a path that takes a new gradient every
          // RETRY_EVERY evaluations, and keep whichever path got further.
          progress.accept(String.format("the path stopped short of the target (%s): searching again from the scan,"
              + " with a new gradient every %d evaluations", search.reason().label(), RETRY_EVERY));
          FrameMaker retryFrames = new FrameMaker(objective, space, reconstruction, x, volume, residual, low, high,
              meanAbs(volume), config.encodeBatch(), start.score());
          ShiftConfig curved = config.toBuilder().optSearchBudget(left).optRelinearizeEvery(RETRY_EVERY)
              .optRestarts(left).build();
          List<Explanation.Leg> retryLegs = new ArrayList<>();
          LambdaSearch.Result retry = shiftAlongGradients(space, retryFrames, first, start, slope, curved, 2, retryLegs,
              progress);
          legs.addAll(retryLegs);
          List<Step> both = new ArrayList<>(search.trace());
          both.addAll(retry.trace().subList(1, retry.trace().size()));
          if (furtherThan(retry, search)) {
            chosen = retryFrames;
            pathName = "curved-retry";
            search = new LambdaSearch.Result(retry.lambdaStar(), retry.reason(), both);
          } else {
            search = new LambdaSearch.Result(search.lambdaStar(), search.reason(), both);
          }
        }
      }
      progress.accept(String.format("search stopped (%s) at lambda %.4g after %d evaluations",
          search.reason().label(), search.lambdaStar(), search.evaluations()));
      t = lap(seconds, "search", t);

      FrameMaker path = chosen;
      List<Explanation.Frame> sweep = new ArrayList<>();
      int sweepEvaluations = 0;
      int n = config.frames();
      for (int i = 0; i < n; i++) {
        double lambda = search.lambdaStar() * (1 - (double) i / (n - 1));
        boolean known = path.isKnown(lambda);
        Explanation.Frame frame = path.frame(lambda);
        if (!known) {
          sweepEvaluations++;
          progress.accept(String.format("sweep frame %d/%d: lambda %.4g, score %.4f", i + 1, n, lambda,
              frame.score()));
        }
        sweep.add(frame);
      }
      t = lap(seconds, "sweep", t);
      float[] heatmap = Heatmaps.of(config.heatmap(), sweep);
      lap(seconds, "heatmap", t);
      // The input is the caller's array (read, never modified), as is the frame at λ = 0 in residual mode.
      return new Explanation(depth, height, width, volume, reconstruction.toFloatArray(), sweep, heatmap,
          objective.score(scanLink), objective.score(reconLink), search, Math.sqrt(slope), path.segmentStarts(),
          sweepEvaluations, seconds, legs, pathName);
    }
  }

  /**
   * The adaptive search along {@code first}; when the score stalls before the target (stops moving
   * the requested way, or the evaluations allowed along one gradient run out), a new gradient is taken
   * at the best frame so far and the search goes on along it, up to {@link ShiftConfig#restarts()}
   * times and {@link ShiftConfig#searchBudget()} evaluations in all. With
   * {@link ShiftConfig#relinearizeEvery()} a new gradient is taken after that many evaluations even
   * while the score still moves. The path is then a chain of straight segments, and its coordinate
   * (reported as λ) continues across them: λ within segment i counts |g_i| / |g_0| per unit of that
   * segment's own λ, so segment 0 keeps the plain λ of one straight shift. The residual property
   * holds on every segment: frames are the scan plus the decoded change of the latents.
   */
  private LambdaSearch.Result shiftAlongGradients(SliceLatentSpace space, FrameMaker frames, Segment first,
      Step start, double slope, ShiftConfig config, int attempt, List<Explanation.Leg> legs,
      Consumer<String> progress) {
    double targetLink = objective.link(targetScore(start.score()));
    List<Step> trace = new ArrayList<>(List.of(start));
    Segment segment = first;
    double segmentSlope = slope;
    Step from = start;
    for (int restart = 0; ; restart++) {
      frames.extend(segment);
      Segment along = segment;
      // The search reasons in the segment's own λ; frames are made and cached by path coordinate.
      LambdaSearch.Evaluator evaluator = l -> {
        Step onPath = frames.step(along.position(l), progress);
        return new Step(l, onPath.link(), onPath.score(), onPath.change());
      };
      int left = config.searchBudget() - (trace.size() - 1);
      ShiftConfig segmentConfig = config.toBuilder().optMaxEvaluations(Math.min(config.maxEvaluations(), left))
          .build();
      int lineEvaluations = config.relinearizeEvery() > 0 && restart < config.restarts()
          ? config.relinearizeEvery() : config.maxEvaluations();
      LambdaSearch.Result r = LambdaSearch.adaptive(evaluator, new Step(0, from.link(), from.score(), from.change()),
          targetLink, segmentSlope, segmentConfig, lineEvaluations);
      for (Step s : r.trace().subList(1, r.trace().size())) {
        trace.add(new Step(along.position(s.lambda()), s.link(), s.score(), s.change()));
      }
      legs.add(new Explanation.Leg(along.offset(), r.reason(), r.evaluations(), attempt));
      double end = along.position(r.lambdaStar());
      boolean stalled = r.reason() == StopReason.SCORE_PLATEAU || r.reason() == StopReason.EVALUATION_LIMIT
          || r.reason() == StopReason.LAMBDA_LIMIT;
      if (!stalled || restart == config.restarts() || trace.size() - 1 >= config.searchBudget()
          || r.lambdaStar() == 0) {
        return new LambdaSearch.Result(end, r.reason(), trace);
      }
      from = r.star();
      progress.accept(String.format("the score stalled at %.4f (%s): new gradient there (restart %d of at most %d)",
          from.score(), r.reason().label(), restart + 1, config.restarts()));
      NDArray endVolume = frames.volume(end);
      // As before each evaluation (FrameMaker), and here the model's backward pass comes on top.
      TorchRuntime.releaseFreedMemory();
      SliceLatentSpace.VolumeGradient atEnd = space.volumeGradient(endVolume);
      NDArray origin = along.latents(r.lambdaStar());
      origin.attach(space.manager()); // else it would join the shared latents' manager and outlive this explanation
      NDArray g = focus(space.latentGradient(origin, atEnd.gradient(), config.chunkSlices()));
      atEnd.gradient().close();
      try (NDScope temporaries = new NDScope()) {
        segmentSlope = g.square().sum().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
      }
      if (!(segmentSlope > 0) || !Double.isFinite(segmentSlope)) {
        return new LambdaSearch.Result(end, StopReason.SCORE_PLATEAU, trace);
      }
      segment = new Segment(origin, g, end, Math.sqrt(segmentSlope / slope));
    }
  }

  /** Evaluations along one gradient of the search that starts again from the scan (see {@link #explain}). */
  static final int RETRY_EVERY = 2;

  /** Whether search {@code a} got further than {@code b}: reached the target, or a score further along. */
  private boolean furtherThan(LambdaSearch.Result a, LambdaSearch.Result b) {
    boolean aReached = a.reason() == StopReason.REACHED_TARGET;
    if (aReached != (b.reason() == StopReason.REACHED_TARGET)) {
      return aReached;
    }
    int sign = config.direction() == ShiftConfig.Direction.LOWER ? 1 : -1;
    return sign * (b.star().link() - a.star().link()) > 0;
  }

  /**
   * Whether the scan's score already satisfies the stop condition in the requested direction, so that
   * there is nothing to explain: at or beyond {@code --stop-at}; for a classifier's probability, at
   * or beyond a fifth of the way from the decision threshold to the far end; for a relative target,
   * when it asks for a move of at most {@link #NEAR_ZERO} (a probability-like score at or near 0 when
   * lowering, near 1 when raising) or for none at all (a raw output at or below 0 when lowering).
   */
  boolean alreadyAtTarget(double scanScore) {
    boolean lower = config.direction() == ShiftConfig.Direction.LOWER;
    if (config.stopScore() != null) {
      return lower ? scanScore <= config.stopScore() : scanScore >= config.stopScore();
    }
    if (objective.isClassifierProbability()) {
      double t = objective.threshold();
      return lower ? scanScore <= 0.2 * t : scanScore >= 1 - 0.2 * (1 - t);
    }
    double move = lower ? scanScore - targetScore(scanScore) : targetScore(scanScore) - scanScore;
    return move <= (objective.isProbability() ? NEAR_ZERO : 0);
  }

  /** Smallest move of a probability-like score that a relative target may ask for. */
  static final double NEAR_ZERO = 1e-4;

  /**
   * The score at which the search stops: the configured stop score; else, for a classifier's
   * probability, well across the decision threshold (a fifth of the way from the threshold to the far
   * end, i.e. 0.1 for a threshold of 0.5) or the relative change if that goes further; else the score
   * at λ = 0 changed by the configured fraction.
   */
  public double targetScore(double startScore) {
    return targetScore(objective, config, startScore);
  }

  /** {@link #targetScore(double)} of an explanation of {@code objective} with {@code config}. */
  public static double targetScore(Objective objective, ShiftConfig config, double startScore) {
    if (config.stopScore() != null) {
      return config.stopScore();
    }
    boolean lower = config.direction() == ShiftConfig.Direction.LOWER;
    double relative = lower ? startScore * (1 - config.stopChange()) : startScore * (1 + config.stopChange());
    if (objective.isClassifierProbability()) {
      double t = objective.threshold();
      return lower ? Math.min(0.2 * t, relative)
          : 1 - Math.min(0.2 * (1 - t), (1 - startScore) * (1 - config.stopChange()));
    }
    return objective.isProbability() ? Math.min(relative, 1 - 1e-6) : relative;
  }

  /**
   * The gradient with every element outside the {@link ShiftConfig#focus()} share of largest
   * magnitudes set to 0 (ties at the threshold are kept); the input itself when the focus is 1.
   */
  private NDArray focus(NDArray gradient) {
    if (config.focus() >= 1) {
      return gradient;
    }
    NDArray focused;
    try (NDScope temporaries = new NDScope()) {
      NDArray magnitude = gradient.abs();
      float[] sorted = magnitude.toFloatArray();
      Arrays.sort(sorted);
      int keep = Math.max(1, (int) Math.ceil(config.focus() * sorted.length));
      float threshold = sorted[sorted.length - keep];
      focused = gradient.mul(magnitude.gte(threshold).toType(gradient.getDataType(), false));
      NDScope.unregister(focused);
    }
    gradient.close();
    return focused;
  }

  private long lap(Map<String, Double> seconds, String stage, long start) {
    long now = System.nanoTime();
    double s = (now - start) / 1e9;
    seconds.merge(stage, s, Double::sum);
    stageListener.accept(stage, s);
    return now;
  }

  private static double meanAbs(float[] v) {
    double s = 0;
    for (float f : v) {
      s += Math.abs(f);
    }
    return s / v.length;
  }
}
