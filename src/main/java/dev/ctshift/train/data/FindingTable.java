package dev.ctshift.train.data;

import dev.ctshift.CtShiftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-label targets per scan id, read from a CSV file with a header row, an {@code id} column and
 * comma-separated fields without quoting (such as the {@code labels.csv} of {@code ctshift phantom}).
 *
 * <p>Target {@code t} is read from the first column that exists of {@code t}, {@code has_t} and
 * {@code t_count}; a value greater than 0 makes it positive. For a phantom table this maps
 * {@code effusion} to {@code has_effusion}, {@code cardiomegaly} to {@code cardiomegaly} and
 * {@code nodule} to {@code nodule_count > 0}.
 */
public final class FindingTable {
  /** The findings of the phantom generator, in the order of the demo classifier's outputs. */
  public static final List<String> PHANTOM_FINDINGS = List.of("effusion", "cardiomegaly", "nodule");

  private final Path file;
  private final List<String> targets;
  private final List<String> columns;
  private final Map<String, float[]> rows;

  private FindingTable(Path file, List<String> targets, List<String> columns, Map<String, float[]> rows) {
    this.file = file;
    this.targets = List.copyOf(targets);
    this.columns = List.copyOf(columns);
    this.rows = Collections.unmodifiableMap(rows);
  }

  /**
   * Reads {@code csv} for the given target names.
   *
   * @throws CtShiftException naming the file (and line) if it cannot be read, lacks the id column or
   *     a column for a target, repeats an id, or holds a value that is not a number
   */
  public static FindingTable read(Path csv, List<String> targets) throws CtShiftException {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("at least one target is needed");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CtShiftException(csv + ": cannot read the labels table: " + e.getMessage(), e);
    }
    if (lines.isEmpty()) {
      throw new CtShiftException(csv + ": the labels table is empty (expected a header row)");
    }
    List<String> header = Arrays.stream(lines.get(0).split(",", -1)).map(String::trim).toList();
    int idColumn = header.indexOf("id");
    if (idColumn < 0) {
      throw new CtShiftException(csv + ": no 'id' column in the header " + header);
    }
    int[] index = new int[targets.size()];
    List<String> used = new ArrayList<>();
    for (int t = 0; t < targets.size(); t++) {
      String name = targets.get(t);
      index[t] = -1;
      for (String candidate : List.of(name, "has_" + name, name + "_count")) {
        if (index[t] < 0 && header.contains(candidate)) {
          index[t] = header.indexOf(candidate);
          used.add(candidate);
        }
      }
      if (index[t] < 0) {
        throw new CtShiftException(csv + ": no column for target '" + name + "' (looked for " + name + ", has_"
            + name + ", " + name + "_count) in the header " + header);
      }
    }
    Map<String, float[]> rows = new LinkedHashMap<>();
    for (int n = 1; n < lines.size(); n++) {
      if (lines.get(n).isBlank()) {
        continue;
      }
      String[] f = lines.get(n).split(",", -1);
      String where = csv + " line " + (n + 1) + ": ";
      if (f.length != header.size()) {
        throw new CtShiftException(where + f.length + " fields, the header has " + header.size());
      }
      float[] row = new float[targets.size()];
      for (int t = 0; t < targets.size(); t++) {
        String value = f[index[t]].trim();
        try {
          row[t] = Double.parseDouble(value) > 0 ? 1 : 0;
        } catch (NumberFormatException e) {
          throw new CtShiftException(where + "column " + header.get(index[t]) + " must be a number, got '"
              + value + "'");
        }
      }
      if (rows.put(f[idColumn].trim(), row) != null) {
        throw new CtShiftException(where + "id '" + f[idColumn].trim() + "' appears twice");
      }
    }
    return new FindingTable(csv, targets, used, rows);
  }

  /** The targets of scan {@code id} (a copy, {@code targets().size()} values in {0, 1}), or null. */
  public float[] targets(String id) {
    float[] row = rows.get(id);
    return row == null ? null : row.clone();
  }

  /** The target names, in output order. */
  public List<String> targets() {
    return targets;
  }

  /** The CSV column each target was read from, in target order. */
  public List<String> columns() {
    return columns;
  }

  /** The ids in file order. */
  public List<String> ids() {
    return List.copyOf(rows.keySet());
  }

  public Path file() {
    return file;
  }
}
