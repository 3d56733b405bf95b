package dev.ctshift.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.Version;
import dev.ctshift.engine.ProcessMemory;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.Scan;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.shift.Explanation;
import dev.ctshift.shift.ExplanationMethod;
import dev.ctshift.shift.LatentShiftExplainer;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import dev.ctshift.shift.Step;
import dev.ctshift.volume.transform.Preprocessing;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The content of {@code report.json} for one explanation: the input and its preprocessing, the models
 * (with the SHA-256 of their files), the target, the engine, the scores, the path the λ search took
 * and why it stopped, the sweep, the reconstruction check, and the time and memory spent. {@link
 * ExplanationWriter} adds the slices it shows (and the DICOM series it writes) and writes the file.
 */
public final class ExplanationReport {
  private ExplanationReport() {}

  /**
   * What was explained, and how.
   *
   * @param prepared the scan in model space, with the preprocessing steps that made it
   * @param commandLine the command as the user gave it
   */
  public record Subject(Scan scan, Preprocessing.Prepared prepared, ModelManifest autoencoder, ModelManifest model,
      Objective objective, ShiftConfig config, TorchRuntime runtime, String commandLine) {}

  /**
   * The report of explanation {@code e} of {@code s}.
   *
   * @param reconstruction the figures of the reconstruction check
   * @param seconds wall time per stage; the total counts from {@code started} ({@link System#nanoTime()})
   * @throws CtShiftException if a model file cannot be read to hash it
   */
  public static JsonObject of(Subject s, Explanation e, JsonObject reconstruction, Map<String, Double> seconds,
      long started) throws CtShiftException {
    JsonObject r = new JsonObject();
    r.addProperty("tool", "ctshift");
    r.addProperty("version", Version.current());
    r.addProperty("created", Instant.now().toString());
    r.addProperty("command_line", s.commandLine());
    r.add("input", input(s));
    JsonObject models = new JsonObject();
    models.add("autoencoder", describe(s.autoencoder()));
    models.add("model", describe(s.model()));
    r.add("models", models);
    r.add("target", target(s));
    r.add("engine", engine(s));
    r.add("scores", scores(e));
    r.add("search", search(s, e));
    JsonArray sweep = new JsonArray();
    for (Explanation.Frame f : e.frames()) {
      JsonObject o = new JsonObject();
      o.addProperty("lambda", Json.round(f.lambda()));
      o.addProperty("score", Json.round(f.score()));
      sweep.add(o);
    }
    r.add("sweep", sweep);
    r.addProperty("heatmap", lower(s.config().heatmap()));
    r.add("reconstruction", reconstruction);
    JsonObject timing = Json.rounded(seconds);
    timing.addProperty("total", Json.round((System.nanoTime() - started) / 1e9));
    r.add("seconds", timing);
    r.addProperty("peak_rss_mib", Json.round(ProcessMemory.peakRssMiB()));
    return r;
  }

  private static JsonObject input(Subject s) {
    Scan scan = s.scan();
    JsonObject input = new JsonObject();
    input.addProperty("path", scan.source().toString());
    input.addProperty("format", lower(scan.format()));
    input.addProperty("description", scan.description());
    input.add("dims", Json.array(scan.hu().dims()));
    input.add("spacing_mm", Json.array(scan.hu().spacing(), 4));
    input.addProperty("orientation", scan.hu().orientation());
    input.add("model_space_dims", Json.array(s.prepared().volume().dims()));
    input.add("preprocessing", Json.array(s.prepared().steps()));
    return input;
  }

  private static JsonObject target(Subject s) {
    JsonObject target = new JsonObject();
    target.addProperty("name", s.objective().name());
    target.addProperty("index", s.objective().index());
    target.addProperty("score", s.objective().describe());
    target.addProperty("direction", lower(s.config().direction()));
    return target;
  }

  private static JsonObject engine(Subject s) {
    JsonObject engine = new JsonObject();
    engine.addProperty("device", s.runtime().device().toString());
    engine.addProperty("convolutions", s.runtime().convolutionPath());
    engine.addProperty("gradient_self_test_relative_error", Json.round(s.runtime().selfTestError()));
    engine.addProperty("config", s.config().toString());
    return engine;
  }

  private static JsonObject scores(Explanation e) {
    JsonObject scores = new JsonObject();
    scores.addProperty("scan", Json.round(e.scanScore()));
    scores.addProperty("reconstruction", Json.round(e.reconstructionScore()));
    scores.addProperty("reconstruction_gap", Json.round(e.reconstructionGap()));
    scores.addProperty("lambda_zero_frame", Json.round(e.original().score()));
    scores.addProperty("counterfactual", Json.round(e.counterfactual().score()));
    return scores;
  }

  private static JsonObject search(Subject s, Explanation e) {
    ShiftConfig config = s.config();
    JsonObject search = new JsonObject();
    search.addProperty("strategy", lower(config.search()));
    search.addProperty("composition", lower(config.composition()));
    search.addProperty("focus", config.focus());
    search.addProperty("lambda_star", Json.round(e.search().lambdaStar()));
    if (config.search() != ShiftConfig.Search.REFERENCE) {
      // The score the adaptive search aimed for (the reference schedule has its own fixed rule).
      search.addProperty("target_score", Json.round(LatentShiftExplainer.targetScore(s.objective(), config,
          e.search().trace().get(0).score())));
    }
    search.addProperty("stop_reason", e.search().reason().label());
    search.addProperty("evaluations", e.search().evaluations());
    search.addProperty("sweep_evaluations", e.sweepEvaluations());
    search.addProperty("latent_gradient_norm", Json.round(e.gradientNorm()));
    search.addProperty("restarts_allowed", config.restarts());
    search.addProperty("method", ExplanationMethod.of(config).map(ExplanationMethod::label).orElse("custom"));
    search.addProperty("search_budget", config.searchBudget());
    search.addProperty("path", e.path());
    search.addProperty("gradients", e.gradients());
    JsonArray legs = new JsonArray();
    for (Explanation.Leg leg : e.legs()) {
      JsonObject o = new JsonObject();
      o.addProperty("from_lambda", Json.round(leg.fromLambda()));
      o.addProperty("stop_reason", leg.reason().label());
      o.addProperty("evaluations", leg.evaluations());
      o.addProperty("path", leg.attempt());
      legs.add(o);
    }
    search.add("legs", legs);
    JsonArray gradientsAt = new JsonArray();
    e.gradientsAt().forEach(l -> gradientsAt.add(Json.round(l)));
    search.add("gradients_at_lambda", gradientsAt);
    JsonArray steps = new JsonArray();
    for (Step step : e.search().trace()) {
      JsonObject o = new JsonObject();
      o.addProperty("lambda", Json.round(step.lambda()));
      o.addProperty("score", Json.round(step.score()));
      o.addProperty("relative_change", Json.round(step.change()));
      steps.add(o);
    }
    search.add("steps", steps);
    return search;
  }

  private static JsonObject describe(ModelManifest m) throws CtShiftException {
    JsonObject o = new JsonObject();
    o.addProperty("name", m.name());
    o.addProperty("directory", m.directory().toString());
    o.addProperty("kind", lower(m.kind()));
    o.addProperty("format", lower(m.format()));
    JsonObject hashes = new JsonObject();
    for (String key : m.files().keySet()) {
      try {
        hashes.addProperty(m.files().get(key), FileHashes.sha256(m.file(key)));
      } catch (IOException e) {
        throw new CtShiftException(m.file(key) + ": cannot read to hash it: " + e.getMessage(), e);
      }
    }
    o.add("sha256", hashes);
    return o;
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
