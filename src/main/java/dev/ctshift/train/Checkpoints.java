package dev.ctshift.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ctshift.AtomicFiles;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.djl.DjlNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The resumable state of a training run in a folder: the last epoch's weights ({@value #LAST_PARAMS}),
 * the best epoch's ({@value #BEST_PARAMS}) and {@value #STATE_JSON}, written last, which makes them the
 * state to resume from: the epoch, the best epoch, the architecture and the history.
 */
final class Checkpoints {
  static final String LAST_PARAMS = "last.params";
  static final String STATE_JSON = "last.json";
  static final String BEST_PARAMS = "best.params";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting()
      .serializeSpecialFloatingPointValues().create();

  private final Path dir;
  private final DjlNetwork network;
  private final long seed;

  Checkpoints(Path dir, DjlNetwork network, long seed) {
    this.dir = dir;
    this.network = network;
    this.seed = seed;
  }

  /**
   * What a checkpoint restored.
   *
   * @param epoch the last finished epoch
   * @param bestEpoch the best epoch so far, or 0
   * @param history the reports of the epochs up to {@code epoch}
   * @param bestWeights the best epoch's weights, or null
   */
  record Restored(int epoch, int bestEpoch, List<ProgressListener.EpochReport> history, byte[] bestWeights) {}

  /**
   * Writes the network's weights (also as the best ones when {@code best}), then the state that makes
   * them the one to resume from.
   */
  void write(int epoch, int bestEpoch, boolean best, List<ProgressListener.EpochReport> history)
      throws TrainingException {
    Path json = dir.resolve(STATE_JSON);
    try {
      Files.createDirectories(dir);
      network.saveParameters(dir.resolve(LAST_PARAMS));
      if (best) {
        network.saveParameters(dir.resolve(BEST_PARAMS));
      }
      JsonObject state = new JsonObject();
      state.addProperty("epoch", epoch);
      if (bestEpoch > 0) {
        state.addProperty("best_epoch", bestEpoch);
      }
      state.addProperty("architecture", network.architecture().id());
      state.add("architecture_args", network.architectureArgs().toJson());
      state.addProperty("seed", seed);
      state.add("history", GSON.toJsonTree(history));
      AtomicFiles.writeString(json, GSON.toJson(state) + "\n");
    } catch (IOException e) {
      throw new TrainingException(json + ": cannot write checkpoint: " + e.getMessage(), e);
    }
  }

  /**
   * Loads the checkpoint's weights into the network, if there is a checkpoint.
   *
   * @param withBest also read the best epoch and its weights
   * @return what it restored, or null when the folder holds no checkpoint
   * @throws TrainingException if the checkpoint is unreadable or of another architecture
   */
  Restored resume(boolean withBest) throws TrainingException {
    Path json = dir.resolve(STATE_JSON);
    if (!Files.isRegularFile(json)) {
      return null;
    }
    try {
      JsonObject state = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
      String architecture = state.get("architecture").getAsString();
      if (!network.architecture().id().equals(architecture)
          || !network.architectureArgs().equals(ArchitectureArgs.fromJson(architecture,
              state.getAsJsonObject("architecture_args")))) {
        throw new TrainingException(json + ": checkpoint is for " + state.get("architecture") + " "
            + state.get("architecture_args") + ", not " + network.architecture().id() + " "
            + network.architectureArgs().toJson());
      }
      network.loadParameters(dir.resolve(LAST_PARAMS));
      List<ProgressListener.EpochReport> history = new ArrayList<>();
      for (JsonElement e : state.getAsJsonArray("history")) {
        history.add(GSON.fromJson(e, ProgressListener.EpochReport.class));
      }
      int bestEpoch = 0;
      byte[] bestWeights = null;
      if (withBest && state.has("best_epoch")) {
        bestEpoch = state.get("best_epoch").getAsInt();
        bestWeights = Files.readAllBytes(dir.resolve(BEST_PARAMS));
      }
      return new Restored(state.get("epoch").getAsInt(), bestEpoch, history, bestWeights);
    } catch (IOException e) {
      throw new TrainingException(json + ": cannot resume: " + e.getMessage(), e);
    } catch (JsonParseException | IllegalStateException | IllegalArgumentException | NullPointerException
        | ClassCastException e) {
      throw new TrainingException(json + ": malformed checkpoint: " + e.getMessage(), e);
    }
  }
}
