package dev.ctshift.model.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A {@code classifier3d} assembled from chosen outputs of trained ones: each part becomes one trunk
 * group of the result (architecture arg {@code trunk}, e.g. {@code "2+1"}), with that part's weights
 * and the rows of its output layer for the chosen outputs. Every output of the result therefore
 * equals the part's output it came from, so that a finding can be learnt by the network that learns
 * it best (e.g. nodules from crops) without retraining, or disturbing, the others.
 *
 * <pre>{@code
 * CombinedClassifier.network(List.of(
 *     new Part(Path.of("models/phantom-classifier"), List.of("effusion", "cardiomegaly")),
 *     new Part(Path.of("build/nodule"), List.of("nodule"))), Device.cpu());
 * }</pre>
 *
 * <p>Parts must be shared-trunk {@code classifier3d} models with the same input geometry,
 * activation, threshold and network shape ({@code base_channels}, {@code levels}, {@code convs},
 * {@code head}): the trunk groups of one network share those.
 */
public final class CombinedClassifier {
  /** The architecture args all parts must agree on. */
  private static final List<String> SHARED_ARGS = List.of("base_channels", "levels", "convs", "head");

  /** Outputs {@code outputs} of the model in {@code model}; empty means all of them, in its order. */
  public record Part(Path model, List<String> outputs) {
    public Part {
      Objects.requireNonNull(model);
      outputs = List.copyOf(outputs);
    }
  }

  /** The assembled network and the manifest entries that describe it (name not set). */
  public record Assembly(DjlNetwork network, JsonObject manifestFields) implements AutoCloseable {
    @Override
    public void close() {
      network.close();
    }
  }

  private CombinedClassifier() {}

  /**
   * Builds the combined network from the parts' weights.
   *
   * @throws ModelLoadException naming the model and the problem if a part cannot be read, is not a
   *     shared-trunk classifier3d, lacks a chosen output, repeats an output name of another part, or
   *     disagrees with the first part on input geometry, activation, threshold or network shape
   */
  public static Assembly network(List<Part> parts, Device device) throws ModelLoadException {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("no parts to combine");
    }
    List<ModelManifest> manifests = new ArrayList<>();
    List<List<String>> chosen = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Part p : parts) {
      ModelManifest m = ModelManifest.read(p.model());
      String where = m.directory().resolve("model.json") + ": ";
      if (!Architecture.CLASSIFIER_3D.id().equals(m.architecture())) {
        throw new ModelLoadException(where + "only classifier3d models can be combined, this one is "
            + (m.architecture() == null ? "not ctshift-trained" : "a " + m.architecture()));
      }
      JsonObject args = withDefaults(m, where);
      if (!args.get("trunk").getAsString().equals("shared")) {
        throw new ModelLoadException(where + "only shared-trunk classifiers can be combined, this one has trunk "
            + args.get("trunk").getAsString());
      }
      List<String> outs = p.outputs().isEmpty() ? m.outputs() : p.outputs();
      for (String o : outs) {
        if (!m.outputs().contains(o)) {
          throw new ModelLoadException(where + "has no output '" + o + "', its outputs are " + m.outputs());
        }
        if (!names.add(o)) {
          throw new ModelLoadException(where + "output '" + o + "' is chosen twice; output names must be unique");
        }
      }
      if (!manifests.isEmpty()) {
        requireAgreement(manifests.get(0), m, where);
      }
      manifests.add(m);
      chosen.add(outs);
    }
    JsonObject args = withDefaults(manifests.get(0), "").deepCopy();
    args.addProperty("outputs", names.size());
    args.addProperty("trunk", chosen.size() == 1 ? "shared"
        : String.join("+", chosen.stream().map(c -> String.valueOf(c.size())).toList()));
    DjlNetwork combined = DjlNetwork.create(Architecture.CLASSIFIER_3D, args, device, DataType.FLOAT32);
    try {
      List<Parameter> to = combined.block().getParameters().values();
      int next = 0;
      for (int i = 0; i < manifests.size(); i++) {
        try (DjlNetwork part = DjlModels.loadNetwork(manifests.get(i), device)) {
          next = copyGroup(part, rows(manifests.get(i).outputs(), chosen.get(i)), to, next);
        }
      }
      return new Assembly(combined, manifestFields(manifests, chosen));
    } catch (ModelLoadException | RuntimeException e) {
      combined.close();
      throw e;
    }
  }

  /**
   * Copies {@code part}'s weights into {@code to} from index {@code first}: all of them as they are
   * except the output layer (the last weight and bias), of which only {@code rows} are taken.
   *
   * @return the index after the group
   */
  private static int copyGroup(DjlNetwork part, int[] rows, List<Parameter> to, int first) {
    List<Parameter> from = part.block().getParameters().values();
    for (int i = 0; i < from.size(); i++) {
      NDArray source = from.get(i).getArray();
      NDArray target = to.get(first + i).getArray();
      boolean outputLayer = i >= from.size() - 2;
      if (outputLayer) {
        NDList picked = new NDList();
        for (int r : rows) {
          picked.add(source.get(r).expandDims(0));
        }
        try (NDArray selected = NDArrays.concat(picked)) {
          selected.copyTo(target);
        }
        picked.close();
      } else {
        source.copyTo(target);
      }
    }
    return first + from.size();
  }

  private static int[] rows(List<String> outputs, List<String> chosen) {
    return chosen.stream().mapToInt(outputs::indexOf).toArray();
  }

  private static JsonObject withDefaults(ModelManifest m, String where) throws ModelLoadException {
    try {
      return Architecture.CLASSIFIER_3D.withDefaults(m.architectureArgs());
    } catch (IllegalArgumentException e) {
      throw new ModelLoadException(where + e.getMessage());
    }
  }

  private static void requireAgreement(ModelManifest first, ModelManifest m, String where)
      throws ModelLoadException {
    JsonObject a = withDefaults(first, "");
    JsonObject b = withDefaults(m, where);
    for (String key : SHARED_ARGS) {
      if (!a.get(key).equals(b.get(key))) {
        throw new ModelLoadException(where + "architecture argument " + key + " is " + b.get(key) + " but "
            + a.get(key) + " in " + first.directory() + "; combined parts must have the same network shape");
      }
    }
    String[] entries = {"input", "activation", "threshold"};
    for (String key : entries) {
      if (!Objects.equals(first.json().get(key), m.json().get(key))) {
        throw new ModelLoadException(where + key + " differs from that of " + first.directory() + " ("
            + m.json().get(key) + " vs " + first.json().get(key) + ")");
      }
    }
  }

  /** The first part's descriptive entries (input, activation, threshold) with the chosen outputs. */
  private static JsonObject manifestFields(List<ModelManifest> manifests, List<List<String>> chosen) {
    JsonObject f = new JsonObject();
    JsonObject first = manifests.get(0).json();
    for (String key : List.of("input", "activation", "threshold")) {
      if (first.has(key)) {
        f.add(key, first.get(key).deepCopy());
      }
    }
    JsonArray outputs = new JsonArray();
    chosen.forEach(c -> c.forEach(outputs::add));
    f.add("outputs", outputs);
    return f;
  }

  /** Saves an assembly as a model directory named {@code name}: see {@link DjlModels#save}. */
  public static void save(Assembly assembly, Path dir, String name) throws IOException {
    JsonObject fields = assembly.manifestFields().deepCopy();
    fields.addProperty("name", name);
    DjlModels.save(assembly.network(), dir, fields);
  }
}
