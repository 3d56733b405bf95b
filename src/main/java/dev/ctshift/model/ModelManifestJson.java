package dev.ctshift.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest.Activation;
import dev.ctshift.model.ModelManifest.Format;
import dev.ctshift.model.ModelManifest.Input;
import dev.ctshift.model.ModelManifest.InputEntry;
import dev.ctshift.model.ModelManifest.Kind;
import dev.ctshift.model.ModelManifest.Layout;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code model.json} text of a {@link ModelManifest}: the one place its keys are spelled. Keys are written
 * in a fixed order (name, kind, format, files, architecture, architecture_args, input, outputs, activation,
 * threshold, score, heldout_psnr_db; input entries as in {@link InputEntry}; architecture arguments
 * alphabetically), each optional entry only if the manifest has it. {@code scripts/model_manifest.py} writes the
 * same text for the Python-made models.
 */
final class ModelManifestJson {
  /** Two-space indent, one array element per line, text as is (as Python's json.dump with indent=2). */
  static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private static final Map<InputEntry, String> INPUT_KEYS = Map.of(
      InputEntry.ORIENTATION, "orientation", InputEntry.SPACING_MM, "spacing_mm", InputEntry.SIZE, "size",
      InputEntry.HU_WINDOW, "hu_window", InputEntry.RANGE, "range", InputEntry.LAYOUT, "layout",
      InputEntry.DEPTH_MULTIPLE, "depth_multiple", InputEntry.MIN_DEPTH, "min_depth");

  private ModelManifestJson() {}

  /** See {@link ModelManifest#read}. */
  static ModelManifest read(Path dirOrFile) throws ModelLoadException {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(ModelManifest.FILE_NAME) : dirOrFile;
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException(file + ": no model manifest here (expected a model directory with model.json)");
    }
    Path dir = file.toAbsolutePath().getParent();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonElement root = JsonParser.parseReader(r);
      if (!root.isJsonObject()) {
        throw new ModelLoadException(file + ": manifest must be a JSON object");
      }
      ModelManifestBuilder b = parse(root.getAsJsonObject(), dir.getFileName() == null ? "model"
          : dir.getFileName().toString());
      b.directory = dir;
      ModelManifest m = b.build();
      m.checkFilesExist();
      return m;
    } catch (ModelLoadException e) {
      throw e.getMessage().startsWith(file.toString()) ? e : new ModelLoadException(file + ": " + e.getMessage());
    } catch (NumberFormatException e) {
      // Gson reads unquoted words leniently, so "16z" reaches getAsDouble as a string.
      throw new ModelLoadException(file + ": malformed manifest: a number was expected (" + e.getMessage() + ")");
    } catch (java.nio.file.InvalidPathException e) {
      throw new ModelLoadException(file + ": malformed manifest: a file name is not a valid path ("
          + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(file + ": " + e.getMessage());
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

  /**
   * A builder holding what {@code o} declares; the name is {@code defaultName} if {@code o} has none.
   *
   * @throws IllegalArgumentException naming the entry if one is missing or has a bad value; Gson's
   *     exceptions if a value has the wrong JSON type
   */
  static ModelManifestBuilder parse(JsonObject o, String defaultName) {
    ModelManifestBuilder b = ModelManifest.builder();
    b.setName(optString(o, "name", defaultName));
    if (o.has("kind")) {
      b.setKind(parseEnum(Kind.class, o.get("kind").getAsString(), "kind"));
    }
    b.optFormat(parseEnum(Format.class, optString(o, "format", "torchscript"), "format"));
    if (o.has("files")) {
      for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("files").entrySet()) {
        b.optFile(e.getKey(), e.getValue().getAsString());
      }
    }
    Set<InputEntry> entries = EnumSet.noneOf(InputEntry.class);
    if (o.has("input")) {
      JsonObject in = o.getAsJsonObject("input");
      for (InputEntry e : InputEntry.values()) {
        if (in.has(INPUT_KEYS.get(e)) && !in.get(INPUT_KEYS.get(e)).isJsonNull()) {
          entries.add(e);
        }
      }
      double[] window = optDoubles(in, "hu_window", 2);
      double[] range = optDoubles(in, "range", 2);
      Input d = Input.DEFAULT;
      b.optInput(new Input(optString(in, "orientation", d.orientation()), optDoubles(in, "spacing_mm", 3),
          optInts(in, "size", 2), window == null ? d.huWindow() : window, range == null ? d.range() : range,
          parseEnum(Layout.class, optString(in, "layout", d.layout().name()), "input.layout"),
          in.has("depth_multiple") ? in.get("depth_multiple").getAsInt() : d.depthMultiple(),
          in.has("min_depth") ? in.get("min_depth").getAsInt() : d.minDepth()));
    }
    if (o.has("outputs")) {
      List<String> outs = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("outputs")) {
        outs.add(e.getAsString());
      }
      b.optOutputs(outs);
    }
    if (o.has("activation") && !o.get("activation").isJsonNull()) {
      b.optActivation(parseEnum(Activation.class, o.get("activation").getAsString(), "activation"));
    }
    if (o.has("threshold")) {
      b.optThreshold(o.get("threshold").getAsDouble());
    }
    if (o.has("heldout_psnr_db")) {
      b.optHeldOutPsnrDb(o.get("heldout_psnr_db").getAsDouble());
    }
    if (o.has("score") && o.getAsJsonObject("score").has("class")) {
      b.optScoreClass(o.getAsJsonObject("score").get("class").getAsString());
    }
    String architecture = optString(o, "architecture", null);
    Set<String> argEntries = null;
    if (architecture != null) {
      JsonObject args = o.has("architecture_args") ? o.getAsJsonObject("architecture_args") : new JsonObject();
      b.optArchitecture(parseArgs(architecture, args));
      argEntries = new LinkedHashSet<>(args.keySet());
    }
    return b.declared(entries, argEntries);
  }

  /** The manifest as JSON, keys in the documented order. */
  static JsonObject write(ModelManifest m) {
    JsonObject o = new JsonObject();
    o.addProperty("name", m.name());
    o.addProperty("kind", ModelManifest.lower(m.kind()));
    o.addProperty("format", ModelManifest.lower(m.format()));
    JsonObject files = new JsonObject();
    m.files().forEach(files::addProperty);
    o.add("files", files);
    if (m.declaredArchitectureArgs() != null) {
      o.addProperty("architecture", m.architecture());
      o.add("architecture_args", writeArgs(m.declaredArchitectureArgs(), m.argEntries()));
    }
    if (m.declaresInput()) {
      Input in = m.input();
      JsonObject input = new JsonObject();
      for (InputEntry e : InputEntry.values()) {
        if (!m.inputEntries().contains(e)) {
          continue;
        }
        input.add(INPUT_KEYS.get(e), switch (e) {
          case ORIENTATION -> new JsonPrimitive(in.orientation());
          case SPACING_MM -> numbers(in.spacingMm(), false);
          case SIZE -> numbers(Arrays.stream(in.size()).asDoubleStream().toArray(), true);
          case HU_WINDOW -> numbers(in.huWindow(), false);
          // Every writer has written the usual [0, 1] as whole numbers.
          case RANGE -> numbers(in.range(), Arrays.stream(in.range()).allMatch(v -> v == Math.rint(v)));
          case LAYOUT -> new JsonPrimitive(in.layout().name());
          case DEPTH_MULTIPLE -> new JsonPrimitive(in.depthMultiple());
          case MIN_DEPTH -> new JsonPrimitive(in.minDepth());
        });
      }
      o.add("input", input);
    }
    if (!m.outputs().isEmpty()) {
      JsonArray outputs = new JsonArray();
      m.outputs().forEach(outputs::add);
      o.add("outputs", outputs);
    }
    if (m.declaredActivation() != null) {
      o.addProperty("activation", ModelManifest.lower(m.declaredActivation()));
    }
    if (m.declaredThreshold() != null) {
      o.addProperty("threshold", m.declaredThreshold());
    }
    if (m.scoreClass() != null) {
      JsonObject score = new JsonObject();
      score.addProperty("class", m.scoreClass());
      o.add("score", score);
    }
    if (m.heldOutPsnrDb() != null) {
      o.addProperty("heldout_psnr_db", m.heldOutPsnrDb());
    }
    return o;
  }

  private static JsonArray numbers(double[] values, boolean whole) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(whole ? (Number) (long) v : (Number) v);
    }
    return a;
  }

  /**
   * {@code args} of {@code architecture} over its defaults.
   *
   * @throws IllegalArgumentException naming the architecture and the argument if the architecture is unknown,
   *     an argument is unknown or has a bad value
   */
  static ArchitectureArgs parseArgs(String architecture, JsonObject args) {
    ArchitectureArgs defaults = ArchitectureArgs.defaults(architecture);
    Map<String, Object> values = values(defaults);
    for (Map.Entry<String, JsonElement> e : args.entrySet()) {
      Object d = values.get(e.getKey());
      if (d == null) {
        throw new IllegalArgumentException(architecture + ": unknown architecture argument '" + e.getKey()
            + "', expected some of " + values.keySet());
      }
      JsonElement v = e.getValue();
      if (d instanceof String) {
        if (!v.isJsonPrimitive()) {
          throw new IllegalArgumentException(architecture + ": architecture argument " + e.getKey()
              + " must be a text, got " + v);
        }
        values.put(e.getKey(), v.getAsString());
      } else {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() || v.getAsDouble() != Math.rint(v.getAsDouble())
            || Math.abs(v.getAsDouble()) > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(architecture + ": architecture argument " + e.getKey()
              + " must be a positive integer, got " + v);
        }
        values.put(e.getKey(), v.getAsInt());
      }
    }
    if (defaults instanceof SliceAe) {
      return new SliceAe(integer(values, "base_channels"), integer(values, "latent_channels"),
          integer(values, "levels"), integer(values, "decoder_kernel"));
    }
    if (defaults instanceof Classifier3d) {
      return new Classifier3d(integer(values, "base_channels"), integer(values, "levels"), integer(values, "convs"),
          integer(values, "outputs"), (String) values.get("head"), (String) values.get("trunk"));
    }
    return new Segmenter3d(integer(values, "base_channels"), integer(values, "levels"), integer(values, "classes"));
  }

  private static int integer(Map<String, Object> values, String key) {
    return (Integer) values.get(key);
  }

  /** {@code args} as JSON, keys alphabetically; only {@code keys} unless null. */
  static JsonObject writeArgs(ArchitectureArgs args, Set<String> keys) {
    JsonObject o = new JsonObject();
    values(args).forEach((k, v) -> {
      if (keys == null || keys.contains(k)) {
        o.add(k, v instanceof String s ? new JsonPrimitive(s) : new JsonPrimitive((Integer) v));
      }
    });
    return o;
  }

  /** The arguments by their manifest names, alphabetically. */
  private static Map<String, Object> values(ArchitectureArgs args) {
    Map<String, Object> v = new TreeMap<>();
    v.put("base_channels", args.baseChannels());
    v.put("levels", args.levels());
    if (args instanceof SliceAe a) {
      v.put("latent_channels", a.latentChannels());
      v.put("decoder_kernel", a.decoderKernel());
    } else if (args instanceof Classifier3d c) {
      v.put("convs", c.convs());
      v.put("outputs", c.outputs());
      v.put("head", c.head());
      v.put("trunk", c.trunk());
    } else if (args instanceof Segmenter3d s) {
      v.put("classes", s.classes());
    }
    return v;
  }

  private static String optString(JsonObject o, String key, String def) {
    return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : def;
  }

  private static double[] optDoubles(JsonObject o, String key, int n) {
    if (!o.has(key) || o.get(key).isJsonNull()) {
      return null;
    }
    JsonArray a = o.getAsJsonArray(key);
    if (a.size() != n) {
      throw new IllegalArgumentException("input." + key + " must have " + n + " numbers, got " + a.size());
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = a.get(i).getAsDouble();
    }
    return v;
  }

  private static int[] optInts(JsonObject o, String key, int n) {
    double[] d = optDoubles(o, key, n);
    if (d == null) {
      return null;
    }
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = (int) d[i];
      if (v[i] <= 0 || v[i] != d[i]) {
        throw new IllegalArgumentException("input." + key + " must hold positive integers, got " + Arrays.toString(d));
      }
    }
    return v;
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String key) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        allowed.add(c.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(key + " must be one of " + allowed + ", got '" + value + "'");
    }
  }
}
