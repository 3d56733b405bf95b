package dev.ctshift.model.djl;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes and loads model directories of DJL-native networks: a {@code model.json} with
 * {@code "format": "djl"}, {@code "architecture"}, {@code "architecture_args"} and
 * {@code "files": {"params": "<architecture>.params"}}, next to the weights.
 *
 * <pre>{@code
 * ModelManifest m = ModelManifest.read(dir);
 * try (VolumeModel model = DjlModels.loadVolumeModel(m, Device.cpu())) { ... }
 * }</pre>
 */
public final class DjlModels {
  /** The {@code files} key of the weights. */
  public static final String PARAMS_KEY = "params";

  private DjlModels() {}

  /**
   * Loads a {@code slice-ae} model directory.
   *
   * @throws ModelLoadException naming the manifest and the problem (wrong format or kind, missing
   *     or unreadable weights, bad architecture args)
   */
  public static SliceAutoencoder loadAutoencoder(ModelManifest manifest, Device device)
      throws ModelLoadException {
    requireKind(manifest, manifest.kind() == ModelManifest.Kind.AUTOENCODER, "an autoencoder");
    return new DjlSliceAutoencoder(manifest, loadNetwork(manifest, device));
  }

  /**
   * Loads a {@code classifier3d} or {@code segmenter3d} model directory.
   *
   * @throws ModelLoadException naming the manifest and the problem
   */
  public static VolumeModel loadVolumeModel(ModelManifest manifest, Device device)
      throws ModelLoadException {
    requireKind(manifest, manifest.kind() != ModelManifest.Kind.AUTOENCODER,
        "a classifier or segmenter");
    return new DjlVolumeModel(manifest, loadNetwork(manifest, device));
  }

  private static void requireKind(ModelManifest m, boolean ok, String expected)
      throws ModelLoadException {
    if (!ok) {
      throw new ModelLoadException(where(m) + "the model is a " + lower(m.kind()) + "; expected "
          + expected);
    }
  }

  private static String where(ModelManifest m) {
    return m.directory().resolve("model.json") + ": ";
  }

  /**
   * The network of a DJL model directory, e.g. to start training from its weights.
   *
   * @throws ModelLoadException naming the file and the problem if the model cannot be loaded
   */
  public static DjlNetwork loadNetwork(ModelManifest m, Device device) throws ModelLoadException {
    String where = where(m);
    if (m.format() != ModelManifest.Format.DJL) {
      throw new ModelLoadException(where + "format is " + lower(m.format()) + ", expected djl");
    }
    Architecture arch;
    try {
      arch = Architecture.fromId(m.architecture());
      arch.withDefaults(m.architectureArgs());
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(where + e.getMessage());
    }
    if (arch.kind() != m.kind()) {
      throw new ModelLoadException(where + "architecture " + arch.id() + " is a " + lower(arch.kind())
          + " but kind is " + lower(m.kind()));
    }
    Path params = m.file(PARAMS_KEY);
    if (params == null) {
      throw new ModelLoadException(where + "files.params is required for format djl");
    }
    try {
      return DjlNetwork.load(arch, m.architectureArgs(), params, device);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(where + "cannot load weights " + params + ": " + reason(e), e);
    }
  }

  /**
   * Writes {@code network}'s weights and a {@code model.json} into {@code dir} (created if needed).
   * {@code fields} holds the manifest's descriptive entries (name, input, outputs, activation,
   * threshold, score); kind, format, files, architecture and architecture_args are set from the
   * network. The result reads back with {@link ModelManifest#read} and the loaders above.
   *
   * @throws IOException if a file cannot be written
   */
  public static void save(DjlNetwork network, Path dir, JsonObject fields) throws IOException {
    Files.createDirectories(dir);
    String paramsFile = network.architecture().id() + ".params";
    network.saveParameters(dir.resolve(paramsFile));
    JsonObject m = new JsonObject();
    m.addProperty("kind", lower(network.architecture().kind()));
    m.addProperty("format", "djl");
    JsonObject files = new JsonObject();
    files.addProperty(PARAMS_KEY, paramsFile);
    m.add("files", files);
    m.addProperty("architecture", network.architecture().id());
    m.add("architecture_args", network.args());
    for (var e : fields.entrySet()) {
      if (!m.has(e.getKey())) {
        m.add(e.getKey(), e.getValue().deepCopy());
      }
    }
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(m) + "\n";
    Files.writeString(dir.resolve("model.json"), json, StandardCharsets.UTF_8);
  }

  /** The failure's message; a bare end of file (no message) means a truncated file. */
  private static String reason(Exception e) {
    if (e instanceof java.io.EOFException && e.getMessage() == null) {
      return "the file ends early (truncated, or not a DJL parameter file)";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
