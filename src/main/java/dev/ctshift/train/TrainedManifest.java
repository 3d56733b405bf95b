package dev.ctshift.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ctshift.model.ModelManifest;
import java.util.List;
import java.util.Map;

/**
 * The {@code model.json} entries of a trained network beyond those {@link
 * dev.ctshift.model.djl.DjlModels#save} writes itself (kind, format, files, architecture): what each
 * trainer knows of its outputs, and what the training run knows of the input space. The one place in
 * this package that spells manifest fields.
 */
public final class TrainedManifest {
  private TrainedManifest() {}

  /** A slice autoencoder's: its slice size and, when known, the PSNR (dB) of its kept epoch. */
  static JsonObject autoencoder(int height, int width, Double heldoutPsnr) {
    JsonObject f = new JsonObject();
    f.addProperty("name", "slice-ae");
    JsonObject input = new JsonObject();
    input.add("size", numbers(height, width));
    f.add("input", input);
    if (heldoutPsnr != null && Double.isFinite(heldoutPsnr)) {
      // What explain compares each scan's reconstruction with (pipeline.ReconstructionCheck).
      f.addProperty("heldout_psnr_db", Math.round(heldoutPsnr * 100) / 100.0);
    }
    return f;
  }

  /** A 3D classifier's: NCDHW input of the training size, one sigmoid output per label, threshold 0.5. */
  static JsonObject classifier(VolumeDataset data, List<String> labels) {
    JsonObject f = volumeModel("classifier3d", data, labels);
    f.addProperty("activation", "sigmoid");
    f.addProperty("threshold", 0.5);
    return f;
  }

  /** A 3D segmenter's: NCDHW input of the training size, softmax classes, scored by its first non-background class. */
  static JsonObject segmenter(VolumeDataset data, List<String> classes) {
    JsonObject f = volumeModel("segmenter3d", data, classes);
    f.addProperty("activation", "softmax");
    JsonObject score = new JsonObject();
    score.addProperty("class", classes.get(1));
    f.add("score", score);
    return f;
  }

  private static JsonObject volumeModel(String name, VolumeDataset data, List<String> outputs) {
    JsonObject f = new JsonObject();
    f.addProperty("name", name);
    JsonObject input = new JsonObject();
    input.addProperty("layout", "NCDHW");
    input.add("size", numbers(data.height(), data.width()));
    f.add("input", input);
    JsonArray names = new JsonArray();
    outputs.forEach(names::add);
    f.add("outputs", names);
    return f;
  }

  /**
   * The name and the input space of a training run: the model takes scans as the training data was
   * brought into it (orientation, spacing, size, HU window onto the range, and a minimum depth when
   * above 1).
   *
   * @throws IllegalArgumentException if the input range is not 0..1, where training windows scans to
   */
  public static JsonObject runFields(String name, ModelManifest.Input input) {
    if (input.range()[0] != 0 || input.range()[1] != 1) {
      throw new IllegalArgumentException("trained models take scans windowed onto 0..1, not "
          + java.util.Arrays.toString(input.range()));
    }
    JsonObject f = new JsonObject();
    f.addProperty("name", name);
    JsonObject in = new JsonObject();
    in.addProperty("orientation", input.orientation());
    in.add("spacing_mm", numbers(input.spacingMm()));
    in.add("size", numbers(input.size()));
    in.add("hu_window", numbers(input.huWindow()));
    in.add("range", numbers(0, 1));
    if (input.minDepth() > 1) {
      in.addProperty("min_depth", input.minDepth());
    }
    f.add("input", in);
    return f;
  }

  /** {@code fields} over a trainer's {@code defaults}; an {@code input} object is merged key by key. */
  static JsonObject merge(JsonObject defaults, JsonObject fields) {
    JsonObject merged = defaults.deepCopy();
    for (Map.Entry<String, JsonElement> e : fields.entrySet()) {
      if (e.getKey().equals("input") && merged.has("input") && e.getValue().isJsonObject()) {
        e.getValue().getAsJsonObject().entrySet()
            .forEach(i -> merged.getAsJsonObject("input").add(i.getKey(), i.getValue().deepCopy()));
      } else {
        merged.add(e.getKey(), e.getValue().deepCopy());
      }
    }
    return merged;
  }

  private static JsonArray numbers(double... values) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }

  private static JsonArray numbers(int... values) {
    JsonArray a = new JsonArray();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }
}
