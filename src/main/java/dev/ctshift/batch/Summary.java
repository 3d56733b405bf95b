package dev.ctshift.batch;

import dev.ctshift.AtomicFiles;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.CtShiftException;
import dev.ctshift.Version;
import dev.ctshift.report.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A batch summary: the rows of the scans handled so far and the names of all scans planned, written
 * as {@code <stem>.csv} (for people and spreadsheets) and {@code <stem>.json} (read back by reruns and
 * merges). Each file is replaced atomically, so a reader or a crash never sees half a summary.
 *
 * @param shard the shard summarised, or null for a whole batch
 * @param seed the seed recorded for the run
 * @param commandLine the command that wrote it
 * @param planned output folder names of every scan this summary covers, done or not
 * @param rows one per scan handled so far (one per target of a scan explained for several), in plan order
 */
public record Summary(Shard shard, long seed, String commandLine, List<String> planned, List<SummaryRow> rows) {
  public Summary {
    planned = List.copyOf(planned);
    rows = List.copyOf(rows);
  }

  /** Scans with this status (a scan explained for several targets has a row per target). */
  public long count(Status s) {
    return rows.stream().filter(r -> r.status() == s).map(SummaryRow::name).distinct().count();
  }

  /**
   * Writes {@code dir/<stem>.csv} and {@code dir/<stem>.json}, and the page that shows them
   * ({@code index.html}, see {@link dev.ctshift.report.html.BatchIndex}).
   *
   * @throws CtShiftException if a file cannot be written
   */
  public void write(Path dir, String stem) throws CtShiftException {
    Path csv = dir.resolve(stem + ".csv");
    Path json = dir.resolve(stem + ".json");
    try {
      AtomicFiles.writeString(json, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(dev.ctshift.report.Json.finite(toJson()))
          + "\n");
      AtomicFiles.writeString(csv, csv());
      dev.ctshift.report.html.BatchIndex.write(dir, stem, this);
    } catch (IOException e) {
      throw new CtShiftException(dir + ": cannot write the batch summary " + stem + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code file} (a summary JSON).
   *
   * @throws CtShiftException if it cannot be read or is not a ctshift batch summary
   */
  public static Summary read(Path file) throws CtShiftException {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      JsonElement s = o.get("shard");
      Shard shard = s == null || s.isJsonNull() ? null
          : new Shard(s.getAsJsonObject().get("index").getAsInt(), s.getAsJsonObject().get("count").getAsInt());
      List<String> planned = new ArrayList<>();
      o.getAsJsonArray("planned").forEach(e -> planned.add(e.getAsString()));
      List<SummaryRow> rows = new ArrayList<>();
      o.getAsJsonArray("scans").forEach(e -> rows.add(SummaryRow.fromJson(e.getAsJsonObject())));
      String cl = o.has("command_line") && !o.get("command_line").isJsonNull()
          ? o.get("command_line").getAsString() : null;
      return new Summary(shard, o.get("seed").getAsLong(), cl, planned, rows);
    } catch (IOException | RuntimeException e) {
      throw new CtShiftException(file + ": not a readable ctshift batch summary: " + e.getMessage(), e);
    }
  }

  private JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("tool", "ctshift");
    o.addProperty("version", Version.current());
    o.addProperty("updated", Instant.now().toString());
    o.addProperty("command_line", commandLine);
    if (shard == null) {
      o.add("shard", null);
    } else {
      JsonObject s = new JsonObject();
      s.addProperty("index", shard.index());
      s.addProperty("count", shard.count());
      o.add("shard", s);
    }
    o.addProperty("seed", seed);
    JsonObject counts = new JsonObject();
    counts.addProperty("planned", planned.size());
    for (Status s : Status.values()) {
      counts.addProperty(s.label().replace('-', '_'), count(s));
    }
    counts.addProperty("pending", planned.size() - rows.stream().map(SummaryRow::name).distinct().count());
    o.add("counts", counts);
    o.add("planned", Json.array(planned));
    JsonArray scans = new JsonArray();
    rows.forEach(r -> scans.add(r.toJson()));
    o.add("scans", scans);
    return o;
  }

  private String csv() {
    StringBuilder b = new StringBuilder(String.join(",", SummaryRow.COLUMNS)).append('\n');
    for (SummaryRow r : rows) {
      List<String> cells = new ArrayList<>();
      for (Object v : r.values()) {
        cells.add(csvCell(v));
      }
      b.append(String.join(",", cells)).append('\n');
    }
    return b.toString();
  }

  private static String csvCell(Object v) {
    if (v == null) {
      return "";
    }
    String s = v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d).replaceAll("\\.?0+(e|$)", "$1")
        : v.toString();
    s = s.replace('\n', ' ').replace('\r', ' ');
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
