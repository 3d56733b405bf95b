package dev.ctshift.model;

import com.google.gson.JsonObject;
import dev.ctshift.AtomicFiles;
import dev.ctshift.volume.transform.DivisiblePadDepth;
import dev.ctshift.volume.transform.Orient;
import dev.ctshift.volume.transform.Preprocessing;
import dev.ctshift.volume.transform.ResizeWithPadOrCrop;
import dev.ctshift.volume.transform.ScaleIntensityRange;
import dev.ctshift.volume.transform.Spacing;
import dev.ctshift.volume.transform.VolumeTransform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code model.json} that describes a model directory: what the model is, which files hold it,
 * which input it expects and how its output becomes the explained score.
 *
 * <pre>{@code
 * {
 *   "name": "demo-effusion-classifier",
 *   "kind": "classifier",                 // autoencoder | classifier | segmenter
 *   "format": "torchscript",              // torchscript | djl
 *   "files": {"model": "model.pt"},       // autoencoder: {"encoder": ..., "decoder": ...}
 *   "input": {
 *     "orientation": "RAS",               // voxel axes after reorienting
 *     "spacing_mm": [1.5, 1.5, 3.0],      // optional: resample to this spacing (i, j, k)
 *     "size": [128, 128],                 // optional: in-plane [H, W] after pad/crop
 *     "hu_window": [-1000, 1000],         // HU mapped linearly onto "range", clipped
 *     "range": [0, 1],
 *     "layout": "NCDHW",                  // or NCHWD (depth last)
 *     "depth_multiple": 1,                // pad slices to a multiple of this
 *     "min_depth": 1                      // and to at least this many (e.g. for pooling levels)
 *   },
 *   "outputs": ["effusion", "cardiomegaly", "nodule"],   // classifier outputs / segmenter classes
 *   "activation": "sigmoid",              // sigmoid | softmax | none
 *   "threshold": 0.5,                     // decision threshold on the activated output
 *   "score": {"class": "lung"},           // segmenter: class whose soft voxel fraction is the score
 *   "heldout_psnr_db": 28.8               // autoencoder: PSNR on held-out data (model space, whole volume)
 * }
 * }</pre>
 *
 * <p>Paths in {@code files} are relative to the manifest's directory. {@code architecture} and
 * {@code architecture_args} name a DJL-native network for {@code "format": "djl"} ({@link ArchitectureArgs}).
 *
 * <p>This class and its JSON codec ({@code ModelManifestJson}) are the one reader and the one writer of
 * {@code model.json}: {@link #read} parses and checks a file, {@link #builder()} makes a manifest in code,
 * and {@link #toJson()} / {@link #write} give the text, with a fixed key order. An optional entry that a
 * read file left out stays out when written back, so a file and {@code read(file).toJson()} are equal as JSON.
 *
 * <pre>{@code
 * ModelManifest m = ModelManifest.builder()
 *     .setName("phantom-classifier").setKind(Kind.CLASSIFIER).optFormat(Format.DJL)
 *     .optFile("params", "classifier3d.params")
 *     .optArchitecture(ArchitectureArgs.Classifier3d.DEFAULTS.withOutputs(2))
 *     .optInput(new Input("RAS", new double[] {6, 6, 6}, new int[] {64, 64}, new double[] {-1000, 1000},
 *         new double[] {0, 1}, Layout.NCDHW, 1, 8))
 *     .optOutputs(List.of("effusion", "nodule")).optActivation(Activation.SIGMOID).optThreshold(0.5)
 *     .build();
 * m.write(dir);
 * }</pre>
 */
public final class ModelManifest {
  /** The {@code files} key of a TorchScript classifier's or segmenter's module. */
  public static final String MODEL_FILE = "model";
  /** The {@code files} key of a TorchScript autoencoder's encoder. */
  public static final String ENCODER_FILE = "encoder";
  /** The {@code files} key of a TorchScript autoencoder's decoder. */
  public static final String DECODER_FILE = "decoder";
  /** The {@code files} key of a DJL-native network's weights. */
  public static final String PARAMS_FILE = "params";
  /** The manifest's file name in a model directory. */
  public static final String FILE_NAME = "model.json";

  /** What a model does. */
  public enum Kind { AUTOENCODER, CLASSIFIER, SEGMENTER }

  /** How a model is stored. */
  public enum Format { TORCHSCRIPT, DJL }

  /** Tensor layout of a 3D model's input and segmentation output. */
  public enum Layout { NCDHW, NCHWD }

  /** The activation that turns raw outputs into probabilities. */
  public enum Activation { SIGMOID, SOFTMAX, NONE }

  /** The entries of an input section, in the order they are written. */
  enum InputEntry { ORIENTATION, SPACING_MM, SIZE, HU_WINDOW, RANGE, LAYOUT, DEPTH_MULTIPLE, MIN_DEPTH }

  /**
   * Expected input geometry and intensity. A value: the arrays are copied in and out, and two inputs are
   * equal when their entries are.
   */
  public record Input(
      String orientation,
      double[] spacingMm,
      int[] size,
      double[] huWindow,
      double[] range,
      Layout layout,
      int depthMultiple,
      int minDepth) {

    /** What a manifest without an input section expects. */
    public static final Input DEFAULT = new Input("RAS", null, null, new double[] {-1000, 1000},
        new double[] {0, 1}, Layout.NCDHW, 1, 1);

    public Input {
      spacingMm = copy(spacingMm);
      size = size == null ? null : size.clone();
      huWindow = copy(huWindow);
      range = copy(range);
    }

    /** Voxel spacing (i, j, k) in mm to resample to, or null to keep the scan's. */
    @Override
    public double[] spacingMm() {
      return copy(spacingMm);
    }

    /** In-plane [H, W] after pad/crop, or null to keep the scan's. */
    @Override
    public int[] size() {
      return size == null ? null : size.clone();
    }

    /** HU [low, high] mapped linearly onto {@link #range()}, clipped. */
    @Override
    public double[] huWindow() {
      return copy(huWindow);
    }

    @Override
    public double[] range() {
      return copy(range);
    }

    private static double[] copy(double[] a) {
      return a == null ? null : a.clone();
    }

    /**
     * The pipeline that takes a scan in HU into this input: Orient, then Spacing (if {@code spacingMm}
     * is given), ScaleIntensityRange (huWindow onto range, clipped), ResizeWithPadOrCrop (if {@code size}
     * [H, W] is given) and DivisiblePadDepth (if {@code depthMultiple > 1} or {@code minDepth > 1}).
     * Padding uses {@code range[0]}, the image of the window's low end, i.e. air for a CT window.
     */
    public Preprocessing preprocessing() {
      List<VolumeTransform> steps = new ArrayList<>();
      steps.add(new Orient(orientation));
      if (spacingMm != null) {
        steps.add(new Spacing(spacingMm));
      }
      steps.add(new ScaleIntensityRange(huWindow[0], huWindow[1], range[0], range[1], true));
      float air = (float) range[0];
      if (size != null) {
        steps.add(new ResizeWithPadOrCrop(size[0], size[1], air));
      }
      if (depthMultiple > 1 || minDepth > 1) {
        steps.add(new DivisiblePadDepth(depthMultiple, minDepth, air));
      }
      return new Preprocessing(steps);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input i && Objects.equals(orientation, i.orientation)
          && Arrays.equals(spacingMm, i.spacingMm) && Arrays.equals(size, i.size)
          && Arrays.equals(huWindow, i.huWindow) && Arrays.equals(range, i.range) && layout == i.layout
          && depthMultiple == i.depthMultiple && minDepth == i.minDepth;
    }

    @Override
    public int hashCode() {
      return Objects.hash(orientation, Arrays.hashCode(spacingMm), Arrays.hashCode(size), Arrays.hashCode(huWindow),
          Arrays.hashCode(range), layout, depthMultiple, minDepth);
    }

    @Override
    public String toString() {
      return "Input[orientation=" + orientation + ", spacingMm=" + Arrays.toString(spacingMm) + ", size="
          + Arrays.toString(size) + ", huWindow=" + Arrays.toString(huWindow) + ", range=" + Arrays.toString(range)
          + ", layout=" + layout + ", depthMultiple=" + depthMultiple + ", minDepth=" + minDepth + "]";
    }
  }

  private final Path directory;
  private final String name;
  private final Kind kind;
  private final Format format;
  private final Map<String, String> files;
  /** Null: no input section, {@link Input#DEFAULT} applies. */
  private final Input input;
  private final Set<InputEntry> inputEntries;
  private final List<String> outputs;
  /** Null: the kind's default. */
  private final Activation activation;
  /** Null: 0.5. */
  private final Double threshold;
  private final String scoreClass;
  /** Null: not a DJL-native network. */
  private final ArchitectureArgs architectureArgs;
  /** The architecture_args keys written; null: all of them. */
  private final Set<String> argEntries;
  private final Double heldOutPsnrDb;

  ModelManifest(ModelManifestBuilder b, Set<InputEntry> inputEntries) {
    this.directory = b.directory;
    this.name = b.name;
    this.kind = b.kind;
    this.format = b.format;
    this.files = Collections.unmodifiableMap(new LinkedHashMap<>(b.files));
    this.input = b.input;
    Set<InputEntry> entries = EnumSet.noneOf(InputEntry.class);
    entries.addAll(inputEntries);
    this.inputEntries = Collections.unmodifiableSet(entries);
    this.outputs = List.copyOf(b.outputs);
    this.activation = b.activation;
    this.threshold = b.threshold;
    this.scoreClass = b.scoreClass;
    this.architectureArgs = b.architectureArgs;
    this.argEntries = b.argEntries == null ? null : Set.copyOf(b.argEntries);
    this.heldOutPsnrDb = b.heldOutPsnrDb;
  }

  /** A builder for a new manifest: {@code set*} for the required entries, {@code opt*} for the others. */
  public static ModelManifestBuilder builder() {
    return new ModelManifestBuilder();
  }

  /** A builder holding this manifest's entries (and directory), e.g. to write a changed copy. */
  public ModelManifestBuilder toBuilder() {
    ModelManifestBuilder b = new ModelManifestBuilder();
    b.directory = directory;
    b.name = name;
    b.kind = kind;
    b.format = format;
    b.files.putAll(files);
    b.input = input;
    b.inputEntries = EnumSet.noneOf(InputEntry.class);
    b.inputEntries.addAll(inputEntries);
    b.outputs = outputs;
    b.activation = activation;
    b.threshold = threshold;
    b.scoreClass = scoreClass;
    b.architectureArgs = architectureArgs;
    b.argEntries = argEntries;
    b.heldOutPsnrDb = heldOutPsnrDb;
    return b;
  }

  /**
   * Reads {@code model.json} from a model directory (or the manifest file itself).
   *
   * @throws ModelLoadException naming the file and the problem if it is missing or malformed
   */
  public static ModelManifest read(Path dirOrFile) throws ModelLoadException {
    return ModelManifestJson.read(dirOrFile);
  }

  /**
   * A builder holding what a {@code model.json} tree declares, e.g. one embedded in another document; its name
   * is {@code defaultName} if the tree has none. {@link ModelManifestBuilder#build()} then checks it.
   *
   * @throws IllegalArgumentException naming the entry if one has a bad value (Gson's exceptions if a value
   *     has the wrong JSON type)
   */
  public static ModelManifestBuilder parse(JsonObject json, String defaultName) {
    return ModelManifestJson.parse(json, defaultName);
  }

  void checkFilesExist() throws ModelLoadException {
    for (Map.Entry<String, String> e : files.entrySet()) {
      if (!Files.isRegularFile(directory.resolve(e.getValue()))) {
        throw new ModelLoadException("files." + e.getKey() + " names " + e.getValue() + ", which does not exist in "
            + directory);
      }
    }
  }

  /** The manifest as {@code model.json} text: two-space indented JSON in a fixed key order, ending in a newline. */
  public String toJson() {
    return ModelManifestJson.GSON.toJson(json()) + "\n";
  }

  /**
   * Writes {@link #toJson()} to {@code dir/model.json} atomically (creating {@code dir} if needed).
   *
   * @return this manifest with {@code dir} as its directory, as {@link #read} would give it
   * @throws IOException if the file cannot be written
   */
  public ModelManifest write(Path dir) throws IOException {
    AtomicFiles.writeString(dir.resolve(FILE_NAME), toJson());
    ModelManifestBuilder b = toBuilder();
    b.directory = dir.toAbsolutePath();
    return b.build();
  }

  /** The manifest as a JSON tree, as {@link #toJson()} writes it (e.g. for reports). */
  public JsonObject json() {
    return ModelManifestJson.write(this);
  }

  /** The directory the manifest was read from (model files resolve against it), or null if built in code. */
  public Path directory() {
    return directory;
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public Format format() {
    return format;
  }

  /** The file registered under {@code key} ("model", "encoder", "decoder", "params" …), resolved. */
  public Path file(String key) {
    String f = files.get(key);
    return f == null ? null : directory == null ? Path.of(f) : directory.resolve(f);
  }

  public Map<String, String> files() {
    return files;
  }

  /** The expected input; every entry a manifest leaves out has its default ({@link Input#DEFAULT}). */
  public Input input() {
    return input != null ? input : Input.DEFAULT;
  }

  /** Output names of a classifier, or class names of a segmenter (may be empty). */
  public List<String> outputs() {
    return outputs;
  }

  /** The activation; by default softmax for a segmenter and sigmoid otherwise. */
  public Activation activation() {
    return activation != null ? activation : defaultActivation(kind);
  }

  /** Decision threshold on the activated output (default 0.5). */
  public double threshold() {
    return threshold != null ? threshold : 0.5;
  }

  /**
   * An autoencoder's PSNR on held-out data (dB, model space, whole volume, peak = the intensity range), or
   * null if the manifest records none.
   */
  public Double heldOutPsnrDb() {
    return heldOutPsnrDb;
  }

  /** Whether the manifest has an {@code input} section (else every input entry is a default). */
  public boolean declaresInput() {
    return input != null;
  }

  /** Segmenter class whose soft fraction is scored by default, or null. */
  public String scoreClass() {
    return scoreClass;
  }

  /** DJL-native architecture name, or null for TorchScript. */
  public String architecture() {
    return architectureArgs == null ? null : architectureArgs.architecture();
  }

  /**
   * The typed arguments of the DJL-native network, defaults filled in; {@code ArchitectureArgs.class} accepts
   * every architecture.
   *
   * @throws ModelLoadException naming the manifest if it has no architecture or another one
   */
  public <A extends ArchitectureArgs> A architectureArgs(Class<A> type) throws ModelLoadException {
    if (type.isInstance(architectureArgs)) {
      return type.cast(architectureArgs);
    }
    String where = (directory == null ? FILE_NAME : directory.resolve(FILE_NAME)) + ": ";
    throw new ModelLoadException(where + (architectureArgs == null
        ? "not a DJL-native network (no \"architecture\")"
        : "the architecture is " + architectureArgs.architecture() + ", expected " + expectedId(type)));
  }

  private static String expectedId(Class<?> type) {
    return ArchitectureArgs.allDefaults().stream().filter(type::isInstance).map(ArchitectureArgs::architecture)
        .findFirst().orElse(type.getSimpleName());
  }

  Input declaredInput() {
    return input;
  }

  Set<InputEntry> inputEntries() {
    return inputEntries;
  }

  Activation declaredActivation() {
    return activation;
  }

  Double declaredThreshold() {
    return threshold;
  }

  ArchitectureArgs declaredArchitectureArgs() {
    return architectureArgs;
  }

  Set<String> argEntries() {
    return argEntries;
  }

  static Activation defaultActivation(Kind kind) {
    return kind == Kind.SEGMENTER ? Activation.SOFTMAX : Activation.SIGMOID;
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "ModelManifest[" + name + ", " + lower(kind) + ", " + lower(format) + ", " + directory + "]";
  }
}
