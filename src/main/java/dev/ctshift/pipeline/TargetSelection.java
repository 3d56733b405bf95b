package dev.ctshift.pipeline;

import dev.ctshift.model.ModelManifest;
import dev.ctshift.shift.Objective;
import dev.ctshift.shift.ShiftConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which outputs of a model to explain on a scan: named outputs (none: the model's default), every
 * output ({@code all}), or those the model finds on the scan ({@code positive}: at or above the
 * decision threshold when lowering the score, below it when raising it).
 *
 * <p>Written as one string ({@link #spec()}, {@link #parse}) in batch manifests and fingerprints:
 * {@code all}, {@code positive}, or names or 0-based indices separated by ';'.
 */
public final class TargetSelection {
  /** How the targets are chosen. */
  public enum Kind { NAMED, ALL, POSITIVE }

  private final Kind kind;
  private final List<String> names;

  private TargetSelection(Kind kind, List<String> names) {
    this.kind = kind;
    this.names = List.copyOf(names);
  }

  /** The named outputs, in order, duplicates removed; an empty list means the model's default output. */
  public static TargetSelection named(List<String> names) {
    List<String> unique = new ArrayList<>();
    for (String n : names) {
      String s = n.strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException("an empty target name");
      }
      if (!unique.contains(s)) {
        unique.add(s);
      }
    }
    return new TargetSelection(Kind.NAMED, unique);
  }

  /** Every output of the model. */
  public static TargetSelection all() {
    return new TargetSelection(Kind.ALL, List.of());
  }

  /** The outputs the model finds on the scan. */
  public static TargetSelection positive() {
    return new TargetSelection(Kind.POSITIVE, List.of());
  }

  /**
   * Reads {@link #spec()}: {@code all}, {@code positive}, or names separated by ';'; null or blank
   * for the model's default output.
   *
   * @throws IllegalArgumentException if a name is empty
   */
  public static TargetSelection parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return named(List.of());
    }
    String s = spec.strip();
    switch (s.toLowerCase(Locale.ROOT)) {
      case "all":
        return all();
      case "positive":
        return positive();
      default:
        return named(List.of(s.split(";", -1)));
    }
  }

  /** The string that {@link #parse} reads back; null for the model's default output. */
  public String spec() {
    return switch (kind) {
      case ALL -> "all";
      case POSITIVE -> "positive";
      case NAMED -> names.isEmpty() ? null : String.join(";", names);
    };
  }

  /**
   * Whether this asks for one output given by name or none (the model's default): explained with
   * the single-target layout, every file directly in the output folder.
   */
  public boolean isSingle() {
    return kind == Kind.NAMED && names.size() <= 1;
  }

  /** The one name of a single selection, or null for the model's default. */
  public String single() {
    if (!isSingle()) {
      throw new IllegalStateException("not a single target: " + spec());
    }
    return names.isEmpty() ? null : names.get(0);
  }

  /** Whether the targets depend on the scan (they need the model's scores on it). */
  public boolean dependsOnScan() {
    return kind == Kind.POSITIVE;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * Every output of the model as an objective, in output order.
   *
   * @throws IllegalArgumentException if the model names no outputs
   */
  public static List<Objective> outputs(ModelManifest manifest) {
    if (manifest.outputs().isEmpty()) {
      throw new IllegalArgumentException("the model's manifest names no outputs, so 'all' and 'positive' are"
          + " undefined; name the targets with -t");
    }
    List<Objective> all = new ArrayList<>();
    for (int i = 0; i < manifest.outputs().size(); i++) {
      all.add(Objective.of(manifest, String.valueOf(i)));
    }
    return all;
  }

  /**
   * The objectives this selection names, before any scan is seen (positive: every candidate, i.e.
   * every output).
   *
   * @throws IllegalArgumentException naming the allowed targets when a name is unknown, or when
   *     {@code positive} is asked of a model without a decision threshold on probabilities
   */
  public List<Objective> candidates(ModelManifest manifest) {
    switch (kind) {
      case ALL:
        return outputs(manifest);
      case POSITIVE:
        if (manifest.kind() != ModelManifest.Kind.CLASSIFIER
            || manifest.activation() == ModelManifest.Activation.NONE) {
          throw new IllegalArgumentException("'positive' needs a classifier whose outputs are probabilities"
              + " with a decision threshold; " + manifest.name() + " is a " + manifest.kind().name()
              .toLowerCase(Locale.ROOT) + " with activation " + manifest.activation().name().toLowerCase(Locale.ROOT)
              + ": name the targets with -t or use --targets all");
        }
        return outputs(manifest);
      default:
        if (names.isEmpty()) {
          return List.of(Objective.of(manifest, null));
        }
        Map<Integer, Objective> byIndex = new LinkedHashMap<>();
        for (String n : names) {
          Objective o = Objective.of(manifest, n);
          byIndex.putIfAbsent(o.index(), o);
        }
        return List.copyOf(byIndex.values());
    }
  }

  /**
   * The objectives to explain on a scan whose scores on every candidate are {@code scanScores}
   * (same order as {@link #candidates}).
   */
  public List<Objective> select(List<Objective> candidates, double[] scanScores, ShiftConfig.Direction direction) {
    if (kind != Kind.POSITIVE) {
      return candidates;
    }
    List<Objective> chosen = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Objective o = candidates.get(i);
      boolean found = scanScores[i] >= o.threshold();
      if (found == (direction == ShiftConfig.Direction.LOWER)) {
        chosen.add(o);
      }
    }
    return chosen;
  }

  @Override
  public String toString() {
    String s = spec();
    return s == null ? "the model's default output" : s;
  }
}
