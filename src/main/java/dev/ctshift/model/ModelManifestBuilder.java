package dev.ctshift.model;

import dev.ctshift.model.ModelManifest.Activation;
import dev.ctshift.model.ModelManifest.Format;
import dev.ctshift.model.ModelManifest.Input;
import dev.ctshift.model.ModelManifest.InputEntry;
import dev.ctshift.model.ModelManifest.Kind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds a {@link ModelManifest} ({@link ModelManifest#builder()}, {@link ModelManifest#toBuilder()}):
 * {@code set*} for the required entries, {@code opt*} for the others. {@link #build()} checks the manifest
 * as {@link ModelManifest#read} checks a file, except that the named files need not exist yet.
 */
public final class ModelManifestBuilder {
  Path directory;
  String name;
  Kind kind;
  Format format = Format.TORCHSCRIPT;
  final Map<String, String> files = new LinkedHashMap<>();
  Input input;
  /** Null: those {@link #optInput} implies. */
  Set<InputEntry> inputEntries;
  List<String> outputs = List.of();
  Activation activation;
  Double threshold;
  String scoreClass;
  ArchitectureArgs architectureArgs;
  Set<String> argEntries;
  Double heldOutPsnrDb;

  ModelManifestBuilder() {}

  /** The model's name (required). */
  public ModelManifestBuilder setName(String name) {
    this.name = name;
    return this;
  }

  /** What the model does (required). */
  public ModelManifestBuilder setKind(Kind kind) {
    this.kind = kind;
    return this;
  }

  /** How the model is stored (default torchscript). */
  public ModelManifestBuilder optFormat(Format format) {
    this.format = Objects.requireNonNull(format);
    return this;
  }

  /** Registers {@code fileName} (relative to the model directory) under {@code key}, e.g. "model". */
  public ModelManifestBuilder optFile(String key, String fileName) {
    files.put(key, fileName);
    return this;
  }

  /** Replaces every registered file. */
  public ModelManifestBuilder setFiles(Map<String, String> files) {
    this.files.clear();
    this.files.putAll(files);
    return this;
  }

  /**
   * The expected input (default: none, i.e. {@link Input#DEFAULT}). It is written with orientation, HU window
   * and range, spacing and size when given, the layout for a 3D model, and depth multiple and minimum depth
   * when above 1.
   */
  public ModelManifestBuilder optInput(Input input) {
    this.input = input;
    this.inputEntries = null;
    return this;
  }

  /** Output names of a classifier or class names of a segmenter. */
  public ModelManifestBuilder optOutputs(List<String> outputs) {
    this.outputs = List.copyOf(outputs);
    return this;
  }

  /** The activation (default: softmax for a segmenter, sigmoid otherwise; null restores it). */
  public ModelManifestBuilder optActivation(Activation activation) {
    this.activation = activation;
    return this;
  }

  /** The decision threshold on the activated output (default 0.5; null restores it). */
  public ModelManifestBuilder optThreshold(Double threshold) {
    this.threshold = threshold;
    return this;
  }

  /** A segmenter's class whose soft voxel fraction is the score (null: none). */
  public ModelManifestBuilder optScoreClass(String scoreClass) {
    this.scoreClass = scoreClass;
    return this;
  }

  /** The DJL-native network: its architecture and all its arguments (null: none). */
  public ModelManifestBuilder optArchitecture(ArchitectureArgs args) {
    this.architectureArgs = args;
    this.argEntries = null;
    return this;
  }

  /** An autoencoder's PSNR on held-out data in dB (null: none). */
  public ModelManifestBuilder optHeldOutPsnrDb(Double heldOutPsnrDb) {
    this.heldOutPsnrDb = heldOutPsnrDb;
    return this;
  }

  /** As read: the input entries and architecture argument keys the file has. */
  ModelManifestBuilder declared(Set<InputEntry> inputEntries, Set<String> argEntries) {
    this.inputEntries = inputEntries;
    this.argEntries = argEntries;
    return this;
  }

  /**
   * The manifest.
   *
   * @throws IllegalArgumentException naming the entry if one is missing or invalid, or entries disagree
   */
  public ModelManifest build() {
    require(name != null, "\"name\" is required");
    require(kind != null, "\"kind\" is required");
    if (input != null) {
      input = checked(input);
    }
    Activation act = activation != null ? activation : ModelManifest.defaultActivation(kind);
    double t = threshold != null ? threshold : 0.5;
    require(act == Activation.NONE || (t > 0 && t < 1), "threshold must be a probability between 0 and 1 for"
        + " activation " + ModelManifest.lower(act) + ", got " + t);
    require(Double.isFinite(t), "threshold must be a finite number, got " + t);
    List<String> required = format == Format.DJL ? List.of(ModelManifest.PARAMS_FILE)
        : kind == Kind.AUTOENCODER ? List.of(ModelManifest.ENCODER_FILE, ModelManifest.DECODER_FILE) : List.of(ModelManifest.MODEL_FILE);
    if (format == Format.DJL) {
      require(architectureArgs != null, "\"architecture\" is required for format djl");
    }
    for (String key : required) {
      require(files.containsKey(key), "files." + key + " is required for a " + ModelManifest.lower(kind) + " in "
          + ModelManifest.lower(format) + " format");
    }
    if (architectureArgs != null) {
      require(architectureArgs.kind() == kind, "architecture " + architectureArgs.architecture() + " is a "
          + ModelManifest.lower(architectureArgs.kind()) + " but kind is " + ModelManifest.lower(kind));
    }
    if (kind == Kind.SEGMENTER && scoreClass != null && !outputs.isEmpty()
        && !outputs.contains(scoreClass) && !scoreClass.matches("\\d+")) {
      throw new IllegalArgumentException("score.class '" + scoreClass + "' is not one of outputs " + outputs);
    }
    // A DJL network declares its output count: the names must match it.
    if (architectureArgs instanceof ArchitectureArgs.Classifier3d c && !outputs.isEmpty()) {
      require(c.outputs() == outputs.size(), "outputs names " + outputs.size() + " outputs " + outputs
          + " but the network (architecture_args.outputs) has " + c.outputs() + ": give one name per output");
    }
    return new ModelManifest(this, inputEntries != null ? inputEntries : impliedEntries());
  }

  private Set<InputEntry> impliedEntries() {
    Set<InputEntry> e = EnumSet.noneOf(InputEntry.class);
    if (input == null) {
      return e;
    }
    e.addAll(List.of(InputEntry.ORIENTATION, InputEntry.HU_WINDOW, InputEntry.RANGE));
    if (input.spacingMm() != null) {
      e.add(InputEntry.SPACING_MM);
    }
    if (input.size() != null) {
      e.add(InputEntry.SIZE);
    }
    // An autoencoder sees slices: the volume layout is not its concern.
    if (kind != Kind.AUTOENCODER) {
      e.add(InputEntry.LAYOUT);
    }
    if (input.depthMultiple() > 1) {
      e.add(InputEntry.DEPTH_MULTIPLE);
    }
    if (input.minDepth() > 1) {
      e.add(InputEntry.MIN_DEPTH);
    }
    return e;
  }

  private static Input checked(Input in) {
    String orientation;
    try {
      orientation = dev.ctshift.volume.Orientation.validate(in.orientation());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("input.orientation: " + e.getMessage());
    }
    require(in.spacingMm() == null || in.spacingMm().length == 3,
        "input.spacing_mm must have 3 numbers, got " + Arrays.toString(in.spacingMm()));
    require(in.size() == null || (in.size().length == 2 && in.size()[0] > 0 && in.size()[1] > 0),
        "input.size must hold 2 positive integers, got " + Arrays.toString(in.size()));
    require(in.huWindow() != null && in.huWindow().length == 2 && in.huWindow()[1] > in.huWindow()[0],
        "input.hu_window must be [low, high] with low < high, got " + Arrays.toString(in.huWindow()));
    require(in.range() != null && in.range().length == 2,
        "input.range must have 2 numbers, got " + Arrays.toString(in.range()));
    require(in.layout() != null, "input.layout is required");
    require(in.depthMultiple() >= 1, "input.depth_multiple must be >= 1, got " + in.depthMultiple());
    require(in.minDepth() >= 1, "input.min_depth must be >= 1, got " + in.minDepth());
    return orientation.equals(in.orientation()) ? in : new Input(orientation, in.spacingMm(), in.size(), in.huWindow(),
        in.range(), in.layout(), in.depthMultiple(), in.minDepth());
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
