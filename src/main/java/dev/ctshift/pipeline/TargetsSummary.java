package dev.ctshift.pipeline;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an explanation of several targets of one scan found: per target the scores before and after,
 * λ*, why the search stopped, its cost and where it changed the scan; and the cross-effects table,
 * every output's score on each target's counterfactual. Written as {@code summary.json} (read back by
 * batch runs) and {@code summary.md} (for people).
 *
 * @param scan the scan's path as given
 * @param model the explained model's name
 * @param autoencoder the autoencoder's name
 * @param direction "lower" or "raise"
 * @param selection what was asked ({@link TargetSelection#toString()})
 * @param outputs the model's outputs: the columns of the cross-effects table
 * @param scanScores every output's score on the scan (model space, no change)
 * @param targets one row per explained target, in the order explained
 * @param sharedSeconds stages done once for all targets (preprocess, encode, model passes)
 * @param seconds wall time of the whole run
 * @param peakRssMiB the process's peak resident memory
 */
public record TargetsSummary(String scan, String model, String autoencoder, String direction, String selection,
    List<String> outputs, double[] scanScores, List<Target> targets, JsonObject sharedSeconds, double seconds,
    double peakRssMiB) {

  /** File names in the output folder. */
  public static final String JSON = "summary.json";
  public static final String MARKDOWN = "summary.md";

  /**
   * One explained target.
   *
   * @param name the output's name
   * @param folder its outputs' folder, relative to the summary
   * @param scoreBefore score on the scan (λ = 0)
   * @param scoreAfter score on the counterfactual (λ*), as the engine measured it in model space
   * @param lambdaStar the chosen shift
   * @param stopReason why the λ search stopped
   * @param evaluations volume evaluations of the λ search
   * @param sweepEvaluations further volume evaluations of the sweep
   * @param meanAbsChangeHu mean |counterfactual − scan| over all voxels, HU
   * @param mostChanged the most changed slices (scan slice indices), most changed first
   * @param crossScores every output's score on this target's counterfactual as written (same order as
   *     {@link #outputs}): one row of the cross-effects table
   * @param seconds wall time of this target's gradient, search, sweep and writing
   */
  public record Target(String name, String folder, double scoreBefore, double scoreAfter, double lambdaStar,
      String stopReason, int evaluations, int sweepEvaluations, double meanAbsChangeHu, int[] mostChanged,
      double[] crossScores, double seconds) {}

  /** The JSON form. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("tool", "ctshift");
    o.addProperty("scan", scan);
    o.addProperty("model", model);
    o.addProperty("autoencoder", autoencoder);
    o.addProperty("direction", direction);
    o.addProperty("targets_asked", selection);
    o.add("outputs", Json.array(outputs));
    o.add("scan_scores", byOutput(scanScores));
    JsonArray rows = new JsonArray();
    for (Target t : targets) {
      JsonObject r = new JsonObject();
      r.addProperty("target", t.name());
      r.addProperty("folder", t.folder());
      r.addProperty("score_before", Json.round(t.scoreBefore()));
      r.addProperty("score_after", Json.round(t.scoreAfter()));
      r.addProperty("lambda_star", Json.round(t.lambdaStar()));
      r.addProperty("stop_reason", t.stopReason());
      r.addProperty("evaluations", t.evaluations());
      r.addProperty("sweep_evaluations", t.sweepEvaluations());
      r.addProperty("mean_abs_change_hu", Json.round(t.meanAbsChangeHu()));
      r.add("most_changed_slices", Json.array(t.mostChanged()));
      r.addProperty("seconds", Json.round(t.seconds()));
      rows.add(r);
    }
    o.add("targets", rows);
    JsonObject cross = new JsonObject();
    cross.addProperty("what", "every output's score on each target's counterfactual as written"
        + " (counterfactual.nii.gz read back, preprocessed and scored); rows: counterfactuals, columns: outputs");
    cross.add("columns", Json.array(outputs));
    JsonArray crossRows = new JsonArray();
    for (Target t : targets) {
      JsonObject r = new JsonObject();
      r.addProperty("counterfactual", t.name());
      r.add("scores", byOutput(t.crossScores()));
      crossRows.add(r);
    }
    cross.add("rows", crossRows);
    o.add("cross_effects", cross);
    JsonObject timing = sharedSeconds.deepCopy();
    timing.addProperty("total", Json.round(seconds));
    o.add("seconds", timing);
    o.addProperty("peak_rss_mib", Json.round(peakRssMiB));
    return o;
  }

  private JsonObject byOutput(double[] scores) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < outputs.size(); i++) {
      o.addProperty(outputs.get(i), Json.round(scores[i]));
    }
    return o;
  }

  /**
   * Reads a summary written by {@link #write}.
   *
   * @throws IOException if the file cannot be read or is not such a summary
   */
  public static TargetsSummary read(Path file) throws IOException {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      List<String> outputs = new ArrayList<>();
      o.getAsJsonArray("outputs").forEach(e -> outputs.add(e.getAsString()));
      JsonArray crossRows = o.getAsJsonObject("cross_effects").getAsJsonArray("rows");
      List<Target> targets = new ArrayList<>();
      JsonArray rows = o.getAsJsonArray("targets");
      for (int i = 0; i < rows.size(); i++) {
        JsonObject r = rows.get(i).getAsJsonObject();
        JsonArray slices = r.getAsJsonArray("most_changed_slices");
        int[] most = new int[slices.size()];
        for (int k = 0; k < most.length; k++) {
          most[k] = slices.get(k).getAsInt();
        }
        targets.add(new Target(r.get("target").getAsString(), r.get("folder").getAsString(),
            r.get("score_before").getAsDouble(), r.get("score_after").getAsDouble(),
            r.get("lambda_star").getAsDouble(), r.get("stop_reason").getAsString(), r.get("evaluations").getAsInt(),
            r.get("sweep_evaluations").getAsInt(), r.get("mean_abs_change_hu").getAsDouble(), most,
            scores(crossRows.get(i).getAsJsonObject().getAsJsonObject("scores"), outputs),
            r.get("seconds").getAsDouble()));
      }
      JsonObject timing = o.getAsJsonObject("seconds").deepCopy();
      double total = timing.remove("total").getAsDouble();
      return new TargetsSummary(o.get("scan").getAsString(), o.get("model").getAsString(),
          o.get("autoencoder").getAsString(), o.get("direction").getAsString(), o.get("targets_asked").getAsString(),
          outputs, scores(o.getAsJsonObject("scan_scores"), outputs), targets, timing, total,
          o.get("peak_rss_mib").getAsDouble());
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a ctshift summary of several targets: " + e.getMessage(), e);
    }
  }

  private static double[] scores(JsonObject o, List<String> outputs) {
    double[] s = new double[outputs.size()];
    for (int i = 0; i < s.length; i++) {
      JsonElement e = o.get(outputs.get(i));
      s[i] = e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
    return s;
  }

  /** Writes {@link #JSON} and {@link #MARKDOWN} into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.writeString(dir.resolve(JSON), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
        .create().toJson(toJson()) + "\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MARKDOWN), markdown(), StandardCharsets.UTF_8);
  }

  /** The Markdown form: the targets, then the cross-effects table. */
  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(scan).append(": ").append(model).append(", ").append(targets.size())
        .append(targets.size() == 1 ? " target" : " targets").append(" (").append(selection).append(", ")
        .append(direction).append(")\n\n");
    if (targets.isEmpty()) {
      b.append("Nothing to explain: no output was selected on this scan.\n\n");
    } else {
      b.append("| target | score before | score after | λ* | stop reason | evaluations | mean \\|ΔHU\\| |"
          + " most changed slices | folder |\n|---|---|---|---|---|---|---|---|---|\n");
      for (Target t : targets) {
        b.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.4g | %s | %d + %d | %.2f | %s | `%s/` |%n",
            t.name(), t.scoreBefore(), t.scoreAfter(), t.lambdaStar(), t.stopReason(), t.evaluations(),
            t.sweepEvaluations(), t.meanAbsChangeHu(), join(t.mostChanged()), t.folder()));
      }
      b.append("\nEvaluations: λ search + sweep.\n\n");
    }
    b.append(crossEffectsTable());
    return b.toString();
  }

  /**
   * The cross-effects table in Markdown: a first row with the scores on the scan, then one row per
   * counterfactual; each cell is the score and, in brackets, its change from the scan. The explained
   * target's own column is in bold.
   */
  public String crossEffectsTable() {
    StringBuilder b = new StringBuilder("| counterfactual of |");
    StringBuilder rule = new StringBuilder("|---|");
    for (String out : outputs) {
      b.append(' ').append(out).append(" |");
      rule.append("---|");
    }
    b.append('\n').append(rule).append("\n| (scan, no change) |");
    for (double s : scanScores) {
      b.append(String.format(Locale.ROOT, " %.3f |", s));
    }
    b.append('\n');
    for (Target t : targets) {
      b.append("| ").append(t.name()).append(" |");
      for (int i = 0; i < outputs.size(); i++) {
        String cell = String.format(Locale.ROOT, "%.3f (%+.3f)", t.crossScores()[i],
            t.crossScores()[i] - scanScores[i]);
        b.append(' ').append(outputs.get(i).equals(t.name()) ? "**" + cell + "**" : cell).append(" |");
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String join(int[] v) {
    StringBuilder b = new StringBuilder();
    for (int x : v) {
      b.append(b.length() == 0 ? "" : ", ").append(x);
    }
    return b.toString();
  }
}
