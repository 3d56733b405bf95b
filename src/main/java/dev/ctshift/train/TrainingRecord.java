package dev.ctshift.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.AtomicFiles;
import dev.ctshift.Version;
import dev.ctshift.model.djl.CombinedClassifier;
import dev.ctshift.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code training.json} of a model folder: how the model was made (the data, settings and history of
 * a training run, or the parts of a combined classifier). The one writer of that file; it replaces the
 * file atomically, so that it never holds half a record.
 */
public final class TrainingRecord {
  /** The record's file name in a model folder. */
  public static final String FILE = "training.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private TrainingRecord() {}

  /**
   * The record of a training run.
   *
   * @param options kind-specific settings (finding regions, crops …), left out when empty
   */
  static JsonObject ofRun(TrainingRun run, TrainConfig config, int selectedEpoch,
      List<ProgressListener.EpochReport> history, double seconds) {
    JsonObject r = new JsonObject();
    r.addProperty("trained", run.what());
    r.addProperty("version", Version.current());
    r.addProperty("seconds", Math.round(seconds * 10) / 10.0);
    r.add("data", Json.array(run.data().stream().map(Path::toString).toList()));
    if (run.initFrom() != null) {
      r.addProperty("init_from", run.initFrom().toString());
    }
    JsonObject c = new JsonObject();
    c.addProperty("epochs", config.epochs());
    c.addProperty("batch_size", config.batchSize());
    c.addProperty("learning_rate", config.learningRate());
    c.addProperty("seed", config.seed());
    c.addProperty("validation_fraction", config.validationFraction());
    c.addProperty("device", config.device().toString());
    c.addProperty("keep_best", config.keepBest());
    if (config.adversarialL2() > 0) {
      c.addProperty("adversarial_l2", config.adversarialL2());
    }
    r.add("config", c);
    r.addProperty("selected_epoch", selectedEpoch);
    if (run.options().size() > 0) {
      r.add("options", run.options());
    }
    r.add("history", GSON.toJsonTree(history));
    return r;
  }

  /**
   * A classifier's settings that model.json does not hold: where it took its data from besides the
   * scans, the finding regions, smoothing, penalty and crops, each only when used.
   *
   * @param regions per output, the label code of its finding region (may be empty)
   * @param reconstructionsOf the autoencoder whose reconstructions were added, or null
   */
  public static JsonObject classifierOptions(Map<String, Integer> regions, ClassifierOptions options,
      Path reconstructionsOf) {
    JsonObject o = new JsonObject();
    if (reconstructionsOf != null) {
      o.addProperty("add_reconstructions", reconstructionsOf.toString());
    }
    if (!regions.isEmpty()) {
      JsonObject r = new JsonObject();
      regions.forEach(r::addProperty);
      o.add("finding_regions", r);
      o.addProperty("region_weight", options.regionWeight());
    }
    if (options.labelSmoothing() != 0) {
      o.addProperty("label_smoothing", options.labelSmoothing());
    }
    GradientPenalty penalty = options.penalty();
    if (penalty.active()) {
      JsonObject g = new JsonObject();
      g.addProperty("weight", penalty.weight());
      g.addProperty("margin_voxels", penalty.margin());
      if (penalty.relative()) {
        g.addProperty("form", "share");
      }
      o.add("gradient_penalty", g);
    }
    FindingCrops crops = options.crops();
    if (crops != null) {
      JsonObject c = new JsonObject();
      c.addProperty("epochs", crops.epochs());
      c.addProperty("per_volume", crops.perVolume());
      c.add("size", Json.array(crops.depth(), crops.height(), crops.width()));
      o.add("crops", c);
    }
    return o;
  }

  /**
   * The record of a classifier combined from parts: where each output came from, with each part's own
   * training record when it has one.
   *
   * @throws IOException if a part's record cannot be read
   */
  public static JsonObject ofCombination(List<CombinedClassifier.Part> chosen) throws IOException {
    JsonObject r = new JsonObject();
    r.addProperty("combined", "classifier");
    r.addProperty("version", Version.current());
    JsonArray parts = new JsonArray();
    for (CombinedClassifier.Part p : chosen) {
      JsonObject part = new JsonObject();
      part.addProperty("model", p.model().toString());
      part.add("outputs", Json.array(p.outputs()));
      Path training = p.model().resolve(FILE);
      if (Files.isRegularFile(training)) {
        part.add("training", JsonParser.parseString(Files.readString(training)));
      }
      parts.add(part);
    }
    r.add("parts", parts);
    return r;
  }

  /** Writes {@code record} as {@value #FILE} in {@code modelDir}, replacing it atomically. */
  public static void write(Path modelDir, JsonObject record) throws IOException {
    AtomicFiles.writeString(modelDir.resolve(FILE), GSON.toJson(record) + "\n");
  }
}
