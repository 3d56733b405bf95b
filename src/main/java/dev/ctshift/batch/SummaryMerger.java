package dev.ctshift.batch;

import dev.ctshift.CtShiftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Joins the summaries of the shards of a batch ({@code summary-shard-I-of-N.json}, in one or several
 * folders) into one summary, and says what does not add up: shards missing, scans planned but without
 * a row (a shard that did not finish), scans with rows in several shards.
 */
public final class SummaryMerger {
  private static final Pattern SHARD_FILE = Pattern.compile("summary-shard-(\\d+)-of-(\\d+)\\.json");

  /**
   * The merged summary and its problems; {@link #complete()} when there are none.
   *
   * @param files the shard summaries read
   */
  public record Result(Summary summary, List<Path> files, List<Integer> missingShards, List<String> missingScans,
      List<String> duplicateScans) {
    public boolean complete() {
      return missingShards.isEmpty() && missingScans.isEmpty() && duplicateScans.isEmpty();
    }
  }

  private SummaryMerger() {}

  /**
   * Merges the shard summaries found in {@code dirs} and writes {@code out/summary.csv} and
   * {@code out/summary.json}; output paths are rewritten relative to {@code out}.
   *
   * @throws CtShiftException if no shard summary is found, they disagree on the shard count, one
   *     cannot be read, or the result cannot be written
   */
  public static Result merge(List<Path> dirs, Path out, String commandLine) throws CtShiftException {
    List<Path> files = new ArrayList<>();
    for (Path d : dirs) {
      files.addAll(shardFiles(d));
    }
    if (files.isEmpty()) {
      throw new CtShiftException("no shard summaries (summary-shard-I-of-N.json) in " + dirs);
    }
    Integer count = null;
    Set<Integer> seen = new TreeSet<>();
    Set<String> planned = new LinkedHashSet<>();
    Map<String, SummaryRow> rows = new LinkedHashMap<>();
    Set<String> duplicates = new TreeSet<>();
    long seed = 0;
    for (Path f : files) {
      Summary s = Summary.read(f);
      if (s.shard() == null) {
        throw new CtShiftException(f + ": not a shard summary");
      }
      if (count != null && count != s.shard().count()) {
        throw new CtShiftException(f + ": shard " + s.shard() + " does not belong with shards of " + count);
      }
      count = s.shard().count();
      seen.add(s.shard().index());
      seed = s.seed();
      planned.addAll(s.planned());
      Path dir = f.toAbsolutePath().getParent();
      for (SummaryRow r : s.rows()) {
        String output = relative(out, dir.resolve(r.output()));
        // A scan explained for several targets has a row per target.
        String key = r.name() + "\u0000" + r.target();
        SummaryRow earlier = rows.get(key);
        if (earlier != null) {
          duplicates.add(r.name());
          if (earlier.status().finished() || !r.status().finished()) {
            continue;
          }
        }
        rows.put(key, r.with(output, r.status()));
      }
    }
    List<Integer> missingShards = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      if (!seen.contains(i)) {
        missingShards.add(i);
      }
    }
    Set<String> withRows = new HashSet<>();
    rows.values().forEach(r -> withRows.add(r.name()));
    List<String> missingScans = planned.stream().filter(n -> !withRows.contains(n)).sorted().toList();
    List<SummaryRow> sorted = new ArrayList<>(rows.values());
    sorted.sort(Comparator.comparing(SummaryRow::input).thenComparing(SummaryRow::name));
    Summary merged = new Summary(null, seed, commandLine, List.copyOf(new TreeSet<>(planned)), sorted);
    merged.write(out, "summary");
    return new Result(merged, files, missingShards, missingScans, List.copyOf(duplicates));
  }

  private static List<Path> shardFiles(Path dir) throws CtShiftException {
    if (Files.isRegularFile(dir) && SHARD_FILE.matcher(dir.getFileName().toString()).matches()) {
      return List.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new CtShiftException(dir + ": no such folder");
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> SHARD_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
    } catch (IOException e) {
      throw new CtShiftException(dir + ": cannot list: " + e.getMessage(), e);
    }
  }

  private static String relative(Path base, Path p) {
    return base.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }
}
