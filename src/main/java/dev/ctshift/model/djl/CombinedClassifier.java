package dev.ctshift.model.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.ModelManifestBuilder;
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
  /** Outputs {@code outputs} of the model in {@code model}; empty means all of them, in its order. */
  public record Part(Path model, List<String> outputs) {
    public Part {
      Objects.requireNonNull(model);
      outputs = List.copyOf(outputs);
    }
  }

  /**
   * The assembled network, its output names, and the part whose input, activation and threshold it has.
   */
  public record Assembly(DjlNetwork network, List<String> outputs, ModelManifest firstPart) implements AutoCloseable {
    public Assembly {
      outputs = List.copyOf(outputs);
    }

    /** The manifest of the combined model called {@code name}, but for what {@link DjlModels#save} sets. */
    public ModelManifestBuilder manifest(String name) {
      return firstPart.toBuilder().setName(name).optOutputs(outputs).optScoreClass(null).optHeldOutPsnrDb(null);
    }

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
      String where = m.directory().resolve(ModelManifest.FILE_NAME) + ": ";
      if (!Architecture.CLASSIFIER_3D.id().equals(m.architecture())) {
        throw new ModelLoadException(where + "only classifier3d models can be combined, this one is "
            + (m.architecture() == null ? "not ctshift-trained" : "a " + m.architecture()));
      }
      Classifier3d args = m.architectureArgs(Classifier3d.class);
      if (!args.trunk().equals("shared")) {
        throw new ModelLoadException(where + "only shared-trunk classifiers can be combined, this one has trunk "
            + args.trunk());
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
    Classifier3d args = manifests.get(0).architectureArgs(Classifier3d.class).withOutputsAndTrunk(names.size(),
        chosen.size() == 1 ? "shared" : String.join("+", chosen.stream().map(c -> String.valueOf(c.size())).toList()));
    DjlNetwork combined = DjlNetwork.create(args, device, DataType.FLOAT32);
    try {
      List<Parameter> to = combined.block().getParameters().values();
      int next = 0;
      for (int i = 0; i < manifests.size(); i++) {
        try (DjlNetwork part = DjlModels.loadNetwork(manifests.get(i), device)) {
          next = copyGroup(part, rows(manifests.get(i).outputs(), chosen.get(i)), to, next);
        }
      }
      List<String> outputs = new ArrayList<>();
      chosen.forEach(outputs::addAll);
      return new Assembly(combined, outputs, manifests.get(0));
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

  private static void requireAgreement(ModelManifest first, ModelManifest m, String where)
      throws ModelLoadException {
    Classifier3d a = first.architectureArgs(Classifier3d.class);
    Classifier3d b = m.architectureArgs(Classifier3d.class);
    // The trunk groups of one network share its shape.
    String shape = "the same network shape";
    same(where + "architecture argument base_channels", a.baseChannels(), b.baseChannels(), first, shape);
    same(where + "architecture argument levels", a.levels(), b.levels(), first, shape);
    same(where + "architecture argument convs", a.convs(), b.convs(), first, shape);
    same(where + "architecture argument head", a.head(), b.head(), first, shape);
    String seen = "the same input, activation and threshold";
    same(where + "input", first.input(), m.input(), first, seen);
    same(where + "activation", first.activation(), m.activation(), first, seen);
    same(where + "threshold", first.threshold(), m.threshold(), first, seen);
  }

  /** @throws ModelLoadException "what is got but want in (first); combined parts must have (must)" if they differ */
  private static void same(String what, Object want, Object got, ModelManifest first, String must)
      throws ModelLoadException {
    if (!want.equals(got)) {
      throw new ModelLoadException(what + " is " + got + " but " + want + " in " + first.directory()
          + "; combined parts must have " + must);
    }
  }

  /** Saves an assembly as a model directory named {@code name}: see {@link DjlModels#save}. */
  public static void save(Assembly assembly, Path dir, String name) throws IOException {
    DjlModels.save(assembly.network(), dir, assembly.manifest(name));
  }
}
