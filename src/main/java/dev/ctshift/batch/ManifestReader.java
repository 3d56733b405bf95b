package dev.ctshift.batch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.pipeline.TargetSelection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a batch manifest: CSV with a header line naming the columns {@code path} (required),
 * {@code target} and {@code series_uid} (optional, any order), or JSONL with one object per line and
 * the same keys. Empty lines and lines starting with '#' are skipped; empty cells mean "not given".
 * CSV cells may be quoted with '"' (a doubled '"' inside stands for one). A target may name several
 * outputs separated by ';' (in JSONL also an array of names), or be {@code all} or {@code positive}
 * (see {@link TargetSelection}): the scan is then explained for all of them in one run.
 */
final class ManifestReader {
  /** One manifest line. Paths are returned as written. */
  record Entry(int line, String path, String target, String seriesUid) {}

  private static final Set<String> COLUMNS = Set.of("path", "target", "series_uid");

  private ManifestReader() {}

  /** Whether {@code file} is read as a manifest: a file named *.csv, *.jsonl or *.ndjson. */
  static boolean isManifest(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(file) && (n.endsWith(".csv") || n.endsWith(".jsonl") || n.endsWith(".ndjson"));
  }

  /** @throws VolumeReadException naming the file and line of the problem */
  static List<Entry> read(Path file) throws VolumeReadException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VolumeReadException(file + ": cannot read the manifest: " + e.getMessage(), e);
    }
    boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    return csv ? csv(file, lines) : jsonl(file, lines);
  }

  private static List<Entry> csv(Path file, List<String> lines) throws VolumeReadException {
    List<Entry> entries = new ArrayList<>();
    List<String> header = null;
    for (int n = 1; n <= lines.size(); n++) {
      String line = lines.get(n - 1);
      if (n == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      List<String> cells = cells(file, n, line);
      if (header == null) {
        header = cells.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList();
        for (String c : header) {
          if (!COLUMNS.contains(c)) {
            throw new VolumeReadException(file + ":" + n + ": unknown column '" + c
                + "'; the header names path (required), target and series_uid");
          }
        }
        if (!header.contains("path")) {
          throw new VolumeReadException(file + ":" + n + ": the header must name a 'path' column, got " + line);
        }
        continue;
      }
      if (cells.size() != header.size()) {
        throw new VolumeReadException(file + ":" + n + ": " + cells.size() + " cells, but the header has "
            + header.size());
      }
      entries.add(entry(file, n, cell(cells, header, "path"), cell(cells, header, "target"),
          cell(cells, header, "series_uid")));
    }
    return entries;
  }

  private static String cell(List<String> cells, List<String> header, String column) {
    int i = header.indexOf(column);
    return i < 0 ? null : cells.get(i);
  }

  private static List<String> cells(Path file, int n, String line) throws VolumeReadException {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    if (quoted) {
      throw new VolumeReadException(file + ":" + n + ": a quoted cell is not closed");
    }
    cells.add(cell.toString());
    return cells;
  }

  private static List<Entry> jsonl(Path file, List<String> lines) throws VolumeReadException {
    List<Entry> entries = new ArrayList<>();
    for (int n = 1; n <= lines.size(); n++) {
      String line = lines.get(n - 1).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      JsonObject o;
      try {
        JsonElement e = JsonParser.parseString(line);
        if (!e.isJsonObject()) {
          throw new VolumeReadException(file + ":" + n + ": expected a JSON object like {\"path\": ...}");
        }
        o = e.getAsJsonObject();
      } catch (JsonParseException e) {
        // Gson wraps the reader's EOFException or MalformedJsonException; their message says where.
        String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        throw new VolumeReadException(file + ":" + n + ": not JSON: "
            + String.valueOf(why).replaceFirst(" path \\$.*$", ""), e);
      }
      for (String key : o.keySet()) {
        if (!COLUMNS.contains(key)) {
          throw new VolumeReadException(file + ":" + n + ": unknown key '" + key
              + "'; allowed: path (required), target, series_uid");
        }
      }
      entries.add(entry(file, n, string(file, n, o, "path"), targets(file, n, o),
          string(file, n, o, "series_uid")));
    }
    return entries;
  }

  /** The target key: a string, or an array of names (written as the ';'-separated form). */
  private static String targets(Path file, int n, JsonObject o) throws VolumeReadException {
    JsonElement e = o.get("target");
    if (e == null || !e.isJsonArray()) {
      return string(file, n, o, "target");
    }
    List<String> names = new ArrayList<>();
    for (JsonElement name : e.getAsJsonArray()) {
      if (!name.isJsonPrimitive()) {
        throw new VolumeReadException(file + ":" + n + ": 'target' must be a name or an array of names");
      }
      names.add(name.getAsString());
    }
    return String.join(";", names);
  }

  private static String string(Path file, int n, JsonObject o, String key) throws VolumeReadException {
    JsonElement e = o.get(key);
    if (e != null && !e.isJsonNull() && !e.isJsonPrimitive()) {
      throw new VolumeReadException(file + ":" + n + ": \"" + key + "\" must be a string, got "
          + (e.isJsonArray() ? "an array" : "an object"));
    }
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static Entry entry(Path file, int n, String path, String target, String uid) throws VolumeReadException {
    if (path == null || path.isBlank()) {
      throw new VolumeReadException(file + ":" + n + ": no path given");
    }
    String t = blankToNull(target);
    if (t != null) {
      try {
        t = TargetSelection.parse(t).spec();
      } catch (IllegalArgumentException e) {
        throw new VolumeReadException(file + ":" + n + ": target '" + t + "': " + e.getMessage(), e);
      }
    }
    return new Entry(n, path.strip(), t, blankToNull(uid));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
