package dev.ctshift.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ctshift.volume.transform.DivisiblePadDepth;
import dev.ctshift.volume.transform.Orient;
import dev.ctshift.volume.transform.Preprocessing;
import dev.ctshift.volume.transform.ResizeWithPadOrCrop;
import dev.ctshift.volume.transform.ScaleIntensityRange;
import dev.ctshift.volume.transform.Spacing;
import dev.ctshift.volume.transform.VolumeTransform;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 * {@code architecture_args} name a DJL-native network for {@code "format": "djl"}.
 */
public final class ModelManifest {

  /** What a model does. */
  public enum Kind { AUTOENCODER, CLASSIFIER, SEGMENTER }

  /** How a model is stored. */
  public enum Format { TORCHSCRIPT, DJL }

  /** Tensor layout of a 3D model's input and segmentation output. */
  public enum Layout { NCDHW, NCHWD }

  /** The activation that turns raw outputs into probabilities. */
  public enum Activation { SIGMOID, SOFTMAX, NONE }

  /** Expected input geometry and intensity. */
  public record Input(
      String orientation,
      double[] spacingMm,
      int[] size,
      double[] huWindow,
      double[] range,
      Layout layout,
      int depthMultiple,
      int minDepth) {

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
  }

  private final Path directory;
  private final String name;
  private final Kind kind;
  private final Format format;
  private final Map<String, String> files;
  private final Input input;
  private final List<String> outputs;
  private final Activation activation;
  private final double threshold;
  private final String scoreClass;
  private final String architecture;
  private final JsonObject architectureArgs;
  private final JsonObject raw;
  private final Double heldOutPsnrDb;

  private ModelManifest(Path directory, JsonObject o) throws ModelLoadException {
    this.directory = directory;
    this.raw = o;
    this.name = optString(o, "name", directory.getFileName() == null ? "model" : directory.getFileName().toString());
    this.kind = parseEnum(Kind.class, reqString(o, "kind"), "kind");
    this.format = parseEnum(Format.class, optString(o, "format", "torchscript"), "format");
    this.files = new LinkedHashMap<>();
    if (o.has("files")) {
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("files").entrySet()) {
        files.put(e.getKey(), e.getValue().getAsString());
      }
    }
    JsonObject in = o.has("input") ? o.getAsJsonObject("input") : new JsonObject();
    String orientation;
    try {
      orientation = dev.ctshift.volume.Orientation.validate(optString(in, "orientation", "RAS"));
    } catch (IllegalArgumentException e) {
      throw fail("input.orientation: " + e.getMessage());
    }
    double[] spacing = optDoubles(in, "spacing_mm", 3);
    int[] size = optInts(in, "size", 2);
    double[] window = optDoubles(in, "hu_window", 2);
    if (window == null) {
      window = new double[] {-1000, 1000};
    }
    if (!(window[1] > window[0])) {
      throw fail("input.hu_window must be [low, high] with low < high, got " + java.util.Arrays.toString(window));
    }
    double[] range = optDoubles(in, "range", 2);
    if (range == null) {
      range = new double[] {0, 1};
    }
    Layout layout = parseEnum(Layout.class, optString(in, "layout", "NCDHW"), "input.layout");
    int depthMultiple = in.has("depth_multiple") ? in.get("depth_multiple").getAsInt() : 1;
    if (depthMultiple < 1) {
      throw fail("input.depth_multiple must be >= 1, got " + depthMultiple);
    }
    int minDepth = in.has("min_depth") ? in.get("min_depth").getAsInt() : 1;
    if (minDepth < 1) {
      throw fail("input.min_depth must be >= 1, got " + minDepth);
    }
    this.input = new Input(orientation, spacing, size, window, range, layout, depthMultiple, minDepth);
    List<String> outs = new ArrayList<>();
    if (o.has("outputs")) {
      for (JsonElement e : o.getAsJsonArray("outputs")) {
        outs.add(e.getAsString());
      }
    }
    this.outputs = Collections.unmodifiableList(outs);
    this.activation = parseEnum(Activation.class, optString(o, "activation",
        kind == Kind.SEGMENTER ? "softmax" : "sigmoid"), "activation");
    this.threshold = o.has("threshold") ? o.get("threshold").getAsDouble() : 0.5;
    if (activation != Activation.NONE && !(threshold > 0 && threshold < 1)) {
      throw fail("threshold must be a probability between 0 and 1 for activation " + lower(activation) + ", got "
          + threshold);
    }
    if (!Double.isFinite(threshold)) {
      throw fail("threshold must be a finite number, got " + threshold);
    }
    this.heldOutPsnrDb = o.has("heldout_psnr_db") ? o.get("heldout_psnr_db").getAsDouble() : null;
    this.scoreClass = o.has("score") && o.getAsJsonObject("score").has("class")
        ? o.getAsJsonObject("score").get("class").getAsString() : null;
    this.architecture = optString(o, "architecture", null);
    this.architectureArgs = o.has("architecture_args") ? o.getAsJsonObject("architecture_args") : new JsonObject();
    validateFiles();
    validateOutputCount();
  }

  /** A DJL network declares its output count: the names must match it. */
  private void validateOutputCount() throws ModelLoadException {
    if (outputs.isEmpty() || !architectureArgs.has("outputs") || kind == Kind.AUTOENCODER) {
      return;
    }
    int n = architectureArgs.get("outputs").getAsInt();
    if (n != outputs.size()) {
      throw fail("outputs names " + outputs.size() + " outputs " + outputs + " but the network (architecture_args"
          + ".outputs) has " + n + ": give one name per output");
    }
  }

  /**
   * Reads {@code model.json} from a model directory (or the manifest file itself).
   *
   * @throws ModelLoadException naming the file and the problem if it is missing or malformed
   */
  public static ModelManifest read(Path dirOrFile) throws ModelLoadException {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("model.json") : dirOrFile;
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(file + ": no model manifest here (expected a model directory with model.json)");
    }
    Path dir = file.toAbsolutePath().getParent();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonElement root = JsonParser.parseReader(r);
      if (!root.isJsonObject()) {
        throw new ModelLoadException(file + ": manifest must be a JSON object");
      }
      return new ModelManifest(dir, root.getAsJsonObject());
    } catch (ModelLoadException e) {
      throw e.getMessage().startsWith(file.toString()) ? e : new ModelLoadException(file + ": " + e.getMessage());
    } catch (NumberFormatException e) {
      // Gson reads unquoted words leniently, so "16z" reaches getAsDouble as a string.
      throw new ModelLoadException(file + ": malformed manifest: a number was expected (" + e.getMessage() + ")");
    } catch (java.nio.file.InvalidPathException e) {
      throw new ModelLoadException(file + ": malformed manifest: a file name is not a valid path ("
          + e.getMessage() + ")");
    } catch (JsonParseException e) {
      // Gson wraps the reader's EOFException or MalformedJsonException; their message says where.
      // Their " path $..." suffix echoes the broken text, so it is left out.
      String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
      throw new ModelLoadException(file + ": malformed manifest: not valid JSON: "
          + String.valueOf(why).replaceFirst(" path \\$.*$", ""));
    } catch (IllegalStateException | UnsupportedOperationException | ClassCastException e) {
      // Gson's getAs... calls fail this way on a value of the wrong type; the JIT may drop the message.
      throw new ModelLoadException(file + ": malformed manifest: a value has the wrong JSON type (e.g. text"
          + " where a number, a list or an object belongs)" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } catch (IOException e) {
      throw new ModelLoadException(file + ": cannot read: " + e.getMessage());
    }
  }

  private void validateFiles() throws ModelLoadException {
    List<String> required = new ArrayList<>();
    if (format == Format.TORCHSCRIPT) {
      required.addAll(kind == Kind.AUTOENCODER ? List.of("encoder", "decoder") : List.of("model"));
    }
    for (String key : required) {
      if (!files.containsKey(key)) {
        throw fail("files." + key + " is required for a " + lower(kind) + " in " + lower(format) + " format");
      }
    }
    for (Map.Entry<String, String> e : files.entrySet()) {
      if (!Files.isRegularFile(directory.resolve(e.getValue()))) {
        throw fail("files." + e.getKey() + " names " + e.getValue() + ", which does not exist in " + directory);
      }
    }
    if (format == Format.DJL && architecture == null) {
      throw fail("\"architecture\" is required for format djl");
    }
    if (kind == Kind.SEGMENTER && scoreClass != null && !outputs.isEmpty()
        && !outputs.contains(scoreClass) && !scoreClass.matches("\\d+")) {
      throw fail("score.class '" + scoreClass + "' is not one of outputs " + outputs);
    }
  }

  private static ModelLoadException fail(String msg) {
    return new ModelLoadException(msg);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String reqString(JsonObject o, String key) throws ModelLoadException {
    if (!o.has(key)) {
      throw fail("\"" + key + "\" is required");
    }
    return o.get(key).getAsString();
  }

  private static String optString(JsonObject o, String key, String def) {
    return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : def;
  }

  private static double[] optDoubles(JsonObject o, String key, int n) throws ModelLoadException {
    if (!o.has(key) || o.get(key).isJsonNull()) {
      return null;
    }
    JsonArray a = o.getAsJsonArray(key);
    if (a.size() != n) {
      throw fail("input." + key + " must have " + n + " numbers, got " + a.size());
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = a.get(i).getAsDouble();
    }
    return v;
  }

  private static int[] optInts(JsonObject o, String key, int n) throws ModelLoadException {
    double[] d = optDoubles(o, key, n);
    if (d == null) {
      return null;
    }
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = (int) d[i];
      if (v[i] <= 0 || v[i] != d[i]) {
        throw fail("input." + key + " must hold positive integers, got " + java.util.Arrays.toString(d));
      }
    }
    return v;
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String key)
      throws ModelLoadException {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        allowed.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw fail(key + " must be one of " + allowed + ", got '" + value + "'");
    }
  }

  /** The directory holding the manifest and model files. */
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
    return f == null ? null : directory.resolve(f);
  }

  public Map<String, String> files() {
    return Collections.unmodifiableMap(files);
  }

  public Input input() {
    return input;
  }

  /** Output names of a classifier, or class names of a segmenter (may be empty). */
  public List<String> outputs() {
    return outputs;
  }

  public Activation activation() {
    return activation;
  }

  /** Decision threshold on the activated output. */
  public double threshold() {
    return threshold;
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
    return raw.has("input");
  }

  /** Segmenter class whose soft fraction is scored by default, or null. */
  public String scoreClass() {
    return scoreClass;
  }

  /** DJL-native architecture name, or null for TorchScript. */
  public String architecture() {
    return architecture;
  }

  /** Arguments of the DJL-native architecture (never null). */
  public JsonObject architectureArgs() {
    return architectureArgs.deepCopy();
  }

  /** The parsed JSON, for reports. */
  public JsonObject json() {
    return raw.deepCopy();
  }

  @Override
  public String toString() {
    return "ModelManifest[" + name + ", " + lower(kind) + ", " + lower(format) + ", " + directory + "]";
  }
}
