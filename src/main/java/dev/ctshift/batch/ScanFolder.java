package dev.ctshift.batch;

import dev.ctshift.AtomicFiles;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.pipeline.TargetsSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The output folder of one scan of a batch: the outputs of {@code ctshift explain} plus {@code batch.json},
 * the marker written last that makes the scan <em>done</em>. The marker records the batch facts of the
 * scan (input, seconds, peak memory, seed, options, notices).
 */
final class ScanFolder {
  static final String MARKER = "batch.json";
  static final String REPORT = "report.json";

  private final Path dir;

  ScanFolder(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Whether the scan is done: marker and report (or, for several targets, their summary) readable. */
  boolean isDone() {
    return read(MARKER).isPresent() && (read(REPORT).isPresent() || read(TargetsSummary.JSON).isPresent());
  }

  /** The options fingerprint recorded when the scan was done, if any. */
  Optional<String> options() {
    return read(MARKER).map(m -> m.has("options") ? m.get("options").getAsString() : null);
  }

  /** Marks the scan done: writes the marker atomically, after every other output is in place. */
  void finish(JsonObject marker) throws IOException {
    AtomicFiles.writeString(dir.resolve(MARKER), new GsonBuilder().setPrettyPrinting().create().toJson(marker) + "\n");
  }

  /**
   * The summary rows of a done scan, from its report (one target) or its summary (one row per target,
   * a row without target when none was selected) and its marker; empty if the scan is not done.
   */
  Optional<List<SummaryRow>> rows(String output, Status status) {
    if (Files.isRegularFile(dir.resolve(TargetsSummary.JSON))) {
      return targetRows(output, status);
    }
    return row(output, status).map(List::of);
  }

  private Optional<List<SummaryRow>> targetRows(String output, Status status) {
    Optional<JsonObject> marker = read(MARKER);
    if (marker.isEmpty()) {
      return Optional.empty();
    }
    try {
      TargetsSummary summary = TargetsSummary.read(dir.resolve(TargetsSummary.JSON));
      JsonObject m = marker.get();
      String input = m.get("input").getAsString();
      String uid = string(m, "series_uid");
      double seconds = m.get("seconds").getAsDouble();
      double peak = m.get("peak_rss_mib").getAsDouble();
      List<SummaryRow> rows = new ArrayList<>();
      for (TargetsSummary.Target t : summary.targets()) {
        rows.add(new SummaryRow(input, uid, output, status, t.name(), t.scoreBefore(), t.scoreAfter(),
            t.lambdaStar(), t.stopReason(), t.evaluations(), seconds, peak, null));
      }
      if (rows.isEmpty()) {
        rows.add(new SummaryRow(input, uid, output, status, null, null, null, null,
            "no target selected (" + summary.selection() + ")", 0, seconds, peak, null));
      }
      return Optional.of(rows);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The summary row of a done scan of one target, from its report and marker; empty if not done. */
  Optional<SummaryRow> row(String output, Status status) {
    Optional<JsonObject> marker = read(MARKER);
    Optional<JsonObject> report = read(REPORT);
    if (marker.isEmpty() || report.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonObject m = marker.get();
      JsonObject r = report.get();
      JsonObject scores = r.getAsJsonObject("scores");
      JsonObject search = r.getAsJsonObject("search");
      return Optional.of(new SummaryRow(m.get("input").getAsString(), string(m, "series_uid"), output, status,
          r.getAsJsonObject("target").get("name").getAsString(), scores.get("scan").getAsDouble(),
          scores.get("counterfactual").getAsDouble(), search.get("lambda_star").getAsDouble(),
          search.get("stop_reason").getAsString(), search.get("evaluations").getAsInt(),
          m.get("seconds").getAsDouble(), m.get("peak_rss_mib").getAsDouble(), null));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private Optional<JsonObject> read(String file) {
    Path p = dir.resolve(file);
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    try {
      JsonElement e = JsonParser.parseString(Files.readString(p, StandardCharsets.UTF_8));
      return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String string(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }
}
