package dev.ctshift.model.djl;

import ai.djl.Device;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Writes and loads model directories of DJL-native networks: a {@code model.json} of format djl with the
 * network's architecture and arguments and its weights file {@code <architecture>.params}, next to the weights.
 *
 * <pre>{@code
 * ModelManifest m = ModelManifest.read(dir);
 * try (VolumeModel model = DjlModels.loadVolumeModel(m, Device.cpu())) { ... }
 * }</pre>
 */
public final class DjlModels {
  /** The {@code files} key of the weights. */
  public static final String PARAMS_KEY = ModelManifest.PARAMS_FILE;

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
    return m.directory().resolve(ModelManifest.FILE_NAME) + ": ";
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
    // ModelManifest.read has checked the architecture, its arguments and kind, and that the weights exist.
    ArchitectureArgs args = m.architectureArgs(ArchitectureArgs.class);
    Path params = m.file(PARAMS_KEY);
    try {
      return DjlNetwork.load(args, params, device);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(where + "cannot load weights " + params + ": " + reason(e), e);
    }
  }

  /**
   * Writes {@code network}'s weights and a {@code model.json} into {@code dir} (created if needed).
   * {@code manifest} holds the descriptive entries (name, input, outputs, activation, threshold, score …);
   * kind, format, files and architecture are set from the network. The result reads back with
   * {@link ModelManifest#read} and the loaders above.
   *
   * @return the manifest written
   * @throws IllegalArgumentException if the manifest is incomplete or does not fit the network
   * @throws IOException if a file cannot be written
   */
  public static ModelManifest save(DjlNetwork network, Path dir, ModelManifestBuilder manifest) throws IOException {
    String paramsFile = network.architecture().id() + ".params";
    ModelManifest m = manifest.setKind(network.architecture().kind()).optFormat(ModelManifest.Format.DJL)
        .setFiles(Map.of(PARAMS_KEY, paramsFile)).optArchitecture(network.architectureArgs()).build();
    Files.createDirectories(dir);
    network.saveParameters(dir.resolve(paramsFile));
    return m.write(dir);
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
