package dev.ctshift.shift;

/**
 * Settings of one Latent Shift explanation. Build with {@link #builder()}; every option has a default
 * that suits a first run, and {@link Builder#build()} rejects impossible values.
 *
 * <pre>{@code
 * ShiftConfig config = ShiftConfig.builder().optChunkSlices(16).optFrames(10).build();
 * }</pre>
 */
public final class ShiftConfig {

  /** How a shifted latent becomes a volume. */
  public enum Composition {
    /** {@code x + Dec(Z + λg) - Dec(Z)}: λ = 0 is exactly the scan; gradient taken at the scan. */
    RESIDUAL,
    /** {@code Dec(Z + λg)}: λ = 0 is the autoencoder's reconstruction (as in the paper). */
    RECONSTRUCTION
  }

  /** How λ is searched. */
  public enum Search {
    /** Linear first guess in log-odds, then secant steps and a bracketed refinement: few evaluations. */
    ADAPTIVE,
    /**
     * The original code's schedule: λ = 0, -10, -21, -34, … (each step 10 plus a tenth of λ), along the
     * gradient of the score (not its log-odds); stops below 0.05, after a drop of 0.8, when the score
     * rises, at |λ| = 3000 or beyond the change budget.
     */
    REFERENCE
  }

  /** Which way the score should move. */
  public enum Direction { LOWER, RAISE }

  /** How the heatmap summarises the sweep frames. */
  public enum Heatmap {
    /** Mean absolute change between consecutive frames (the reference default). */
    CONSECUTIVE,
    /** Mean absolute difference of every frame from the λ = 0 frame. */
    MEAN,
    /** Largest absolute difference of any frame from the λ = 0 frame. */
    MAX,
    /** Absolute difference between the counterfactual and the λ = 0 frame. */
    ENDPOINTS
  }

  /** Restarts of the default path: enough for the stalls measured on the phantom cohorts (docs/EVALUATION.md). */
  public static final int DEFAULT_RESTARTS = 3;
  /** Evaluations of the default path's whole search. */
  public static final int DEFAULT_SEARCH_BUDGET = 24;

  private final int chunkSlices;
  private final int encodeBatch;
  private final Composition composition;
  private final Search search;
  private final Direction direction;
  private final Double stopScore;
  private final double stopChange;
  private final double changeBudget;
  private final double focus;
  private final double maxLambda;
  private final int maxEvaluations;
  private final int restarts;
  private final int searchBudget;
  private final int relinearizeEvery;
  private final int refineSteps;
  private final int frames;
  private final Heatmap heatmap;

  private ShiftConfig(Builder b) {
    this.chunkSlices = b.chunkSlices;
    this.encodeBatch = b.encodeBatch;
    this.composition = b.composition;
    this.search = b.search;
    this.direction = b.direction;
    this.stopScore = b.stopScore;
    this.stopChange = b.stopChange;
    this.changeBudget = b.changeBudget;
    this.focus = b.focus;
    this.maxLambda = b.maxLambda;
    this.maxEvaluations = b.maxEvaluations;
    this.restarts = b.restarts;
    this.searchBudget = b.searchBudget;
    this.relinearizeEvery = b.relinearizeEvery;
    this.refineSteps = b.refineSteps;
    this.frames = b.frames;
    this.heatmap = b.heatmap;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Slices whose decoder activations are held at once while computing the latent gradient. */
  public int chunkSlices() {
    return chunkSlices;
  }

  /**
   * Slices encoded or decoded per batch when no gradient is needed; 0 (the default) chooses by slice
   * size ({@link #slicesPerBatch}).
   */
  public int encodeBatch() {
    return encodeBatch;
  }

  /**
   * The default batch for slices of {@code height} × {@code width}, chosen by bytes: as many as keep a
   * decoder layer of 16 channels at full resolution within 128 MiB, from 1 to 32 slices (32 up to
   * 256 × 256, 8 at 512 × 512). Fewer, larger calls are faster (docs/PERFORMANCE.md: 32 slices per
   * call against 8 at 224 × 224); the byte bound keeps large slices from multiplying the memory.
   */
  public static int slicesPerBatch(int height, int width) {
    long bytesPerSlice = 16L * height * width * Float.BYTES;
    return (int) Math.max(1, Math.min(32, (128L << 20) / bytesPerSlice));
  }

  public Composition composition() {
    return composition;
  }

  public Search search() {
    return search;
  }

  public Direction direction() {
    return direction;
  }

  /** Score at which the search stops, or null to use {@link #stopChange()}. */
  public Double stopScore() {
    return stopScore;
  }

  /** Relative change of the score (0.5 = halve it, or raise it by half) used when no stop score is set. */
  public double stopChange() {
    return stopChange;
  }

  /** Largest allowed mean |Δ| as a fraction of mean |x| (reference: 0.05). */
  public double changeBudget() {
    return changeBudget;
  }

  /**
   * Share of the latent gradient's elements, the largest in magnitude, that the shift moves; the
   * others stay at the scan's latents. 1 shifts along the whole gradient, as published Latent Shift
   * does; less gives a sparser, more local change.
   */
  public double focus() {
    return focus;
  }

  public double maxLambda() {
    return maxLambda;
  }

  /**
   * Most volume evaluations the search may spend along one gradient (the sweep is counted separately);
   * see also {@link #searchBudget()}.
   */
  public int maxEvaluations() {
    return maxEvaluations;
  }

  /**
   * Times the adaptive search may take a new gradient at the best frame so far when the score stops
   * moving along the current one before the target (0: one straight shift, as published).
   */
  public int restarts() {
    return restarts;
  }

  /** Most volume evaluations the whole adaptive search may spend, over all its gradients. */
  public int searchBudget() {
    return searchBudget;
  }

  /**
   * Evaluations along one gradient after which the adaptive search takes a new gradient even though
   * the score still moves (a path that bends with the score); 0: only where the score stops moving.
   * Each new gradient counts as a restart.
   */
  public int relinearizeEvery() {
    return relinearizeEvery;
  }

  /** Bracketed refinement steps after the target is first reached. */
  public int refineSteps() {
    return refineSteps;
  }

  /** Sweep frames from λ* to 0, both included. */
  public int frames() {
    return frames;
  }

  public Heatmap heatmap() {
    return heatmap;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.chunkSlices = chunkSlices;
    b.encodeBatch = encodeBatch;
    b.composition = composition;
    b.search = search;
    b.direction = direction;
    b.stopScore = stopScore;
    b.stopChange = stopChange;
    b.changeBudget = changeBudget;
    b.focus = focus;
    b.maxLambda = maxLambda;
    b.maxEvaluations = maxEvaluations;
    b.restarts = restarts;
    b.searchBudget = searchBudget;
    b.relinearizeEvery = relinearizeEvery;
    b.refineSteps = refineSteps;
    b.frames = frames;
    b.heatmap = heatmap;
    return b;
  }

  @Override
  public String toString() {
    return "ShiftConfig[chunkSlices=" + chunkSlices + ", encodeBatch=" + encodeBatch + ", composition="
        + composition + ", search=" + search + ", direction=" + direction + ", stopScore=" + stopScore
        + ", stopChange=" + stopChange + ", changeBudget=" + changeBudget + ", focus=" + focus + ", maxLambda=" + maxLambda
        + ", maxEvaluations=" + maxEvaluations + ", restarts=" + restarts + ", searchBudget=" + searchBudget
        + ", relinearizeEvery=" + relinearizeEvery + ", refineSteps=" + refineSteps + ", frames=" + frames
        + ", heatmap=" + heatmap + "]";
  }

  /** Builder: {@code opt*} setters for optional settings, validated in {@link #build()}. */
  public static final class Builder {
    private int chunkSlices = 16;
    private int encodeBatch = 0;
    private Composition composition = Composition.RESIDUAL;
    private Search search = Search.ADAPTIVE;
    private Direction direction = Direction.LOWER;
    private Double stopScore;
    private double stopChange = 0.5;
    private double changeBudget = 0.05;
    private double focus = 1;
    private double maxLambda = 1e6;
    private int maxEvaluations = 12;
    private int restarts = DEFAULT_RESTARTS;
    private int searchBudget = DEFAULT_SEARCH_BUDGET;
    private int relinearizeEvery = 0;
    private int refineSteps = 3;
    private int frames = 10;
    private Heatmap heatmap = Heatmap.CONSECUTIVE;

    private Builder() {}

    public Builder optChunkSlices(int v) {
      chunkSlices = v;
      return this;
    }

    public Builder optEncodeBatch(int v) {
      encodeBatch = v;
      return this;
    }

    public Builder optComposition(Composition v) {
      composition = v;
      return this;
    }

    public Builder optSearch(Search v) {
      search = v;
      return this;
    }

    public Builder optDirection(Direction v) {
      direction = v;
      return this;
    }

    /** Stop when the score reaches this value (null: use the relative change). */
    public Builder optStopScore(Double v) {
      stopScore = v;
      return this;
    }

    public Builder optStopChange(double v) {
      stopChange = v;
      return this;
    }

    public Builder optChangeBudget(double v) {
      changeBudget = v;
      return this;
    }

    /** Share (0, 1] of latent gradient elements to shift, largest magnitudes first (1: all). */
    public Builder optFocus(double v) {
      focus = v;
      return this;
    }

    public Builder optMaxLambda(double v) {
      maxLambda = v;
      return this;
    }

    public Builder optMaxEvaluations(int v) {
      maxEvaluations = v;
      return this;
    }

    /** Times the adaptive search may restart from a new gradient at a score plateau (0: never). */
    public Builder optRestarts(int v) {
      restarts = v;
      return this;
    }

    /** Most volume evaluations of the whole adaptive search, over all gradients. */
    public Builder optSearchBudget(int v) {
      searchBudget = v;
      return this;
    }

    /** Take a new gradient after this many evaluations along one (0: only where the score stalls). */
    public Builder optRelinearizeEvery(int v) {
      relinearizeEvery = v;
      return this;
    }

    public Builder optRefineSteps(int v) {
      refineSteps = v;
      return this;
    }

    public Builder optFrames(int v) {
      frames = v;
      return this;
    }

    public Builder optHeatmap(Heatmap v) {
      heatmap = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the first invalid setting */
    public ShiftConfig build() {
      require(chunkSlices >= 1, "chunk slices must be >= 1, got " + chunkSlices);
      require(encodeBatch >= 0, "encode batch must be >= 0 (0: by slice size), got " + encodeBatch);
      require(frames >= 2, "frames must be >= 2 (the counterfactual and the scan), got " + frames);
      require(changeBudget > 0, "change budget must be > 0, got " + changeBudget);
      require(focus > 0 && focus <= 1, "focus must be in (0, 1], got " + focus);
      require(maxLambda > 0, "max lambda must be > 0, got " + maxLambda);
      require(maxEvaluations >= 1, "max evaluations must be >= 1, got " + maxEvaluations);
      require(restarts >= 0, "restarts must be >= 0, got " + restarts);
      require(searchBudget >= 1, "search budget must be >= 1, got " + searchBudget);
      require(relinearizeEvery >= 0, "relinearize-every must be >= 0, got " + relinearizeEvery);
      require(refineSteps >= 0, "refine steps must be >= 0, got " + refineSteps);
      require(stopChange > 0 && stopChange < 1 || direction == Direction.RAISE && stopChange > 0,
          "stop change must be in (0, 1) when lowering, got " + stopChange);
      return new ShiftConfig(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
