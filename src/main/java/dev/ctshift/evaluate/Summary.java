package dev.ctshift.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Aggregates of the per-scan rows, one line per method in the order the methods were run. Means skip
 * undefined (NaN) values; localisation and proximity are averaged over positive scans only (non-empty
 * mask), everything else over all scans of the method.
 */
public final class Summary {
  /**
   * One method's aggregate.
   *
   * @param scans rows of the method
   * @param positives rows with a non-empty mask
   * @param validityPercent 100 × crossed / applicable (scans the model put above the threshold); NaN if
   *     none applies
   * @param validityApplicable scans on which validity applies
   * @param reachedPercent 100 × share of searches that reached their target; NaN for the baseline
   * @param peakRssMiB the largest per-scan peak
   * @param gradients mean gradients followed per explanation
   */
  public record Line(Method method, int scans, int positives, double validityPercent, int validityApplicable,
      double reachedPercent, double changeShareInside, double mapShareInside, double mapIoU,
      double meanAbsDeltaHuInside, double meanAbsDeltaHuOutside, double reconstructionGap, double evaluations,
      double searchEvaluations, double seconds, double peakRssMiB, double gradients) {}

  private final List<Line> lines;

  private Summary(List<Line> lines) {
    this.lines = List.copyOf(lines);
  }

  /** Aggregates {@code rows} by method. */
  public static Summary of(List<ScanRow> rows) {
    Map<Method, List<ScanRow>> byMethod = new LinkedHashMap<>();
    for (ScanRow r : rows) {
      byMethod.computeIfAbsent(r.method(), m -> new ArrayList<>()).add(r);
    }
    List<Line> lines = new ArrayList<>();
    byMethod.forEach((method, all) -> {
      List<ScanRow> positive = all.stream().filter(ScanRow::positive).toList();
      int applicable = (int) all.stream().filter(r -> !Double.isNaN(r.crossed())).count();
      lines.add(new Line(method, all.size(), positive.size(), 100 * mean(all, ScanRow::crossed), applicable,
          100 * mean(all, ScanRow::reachedTarget), mean(positive, ScanRow::changeShareInside),
          mean(positive, ScanRow::mapShareInside), mean(positive, ScanRow::mapIoU),
          mean(positive, ScanRow::meanAbsDeltaHuInside), mean(positive, ScanRow::meanAbsDeltaHuOutside),
          mean(all, ScanRow::reconstructionGap), mean(all, ScanRow::evaluations),
          mean(all, ScanRow::searchEvaluations), mean(all, ScanRow::seconds),
          all.stream().mapToDouble(ScanRow::peakRssMiB).max().orElse(Double.NaN), mean(all, ScanRow::gradients)));
    });
    return new Summary(lines);
  }

  /** The lines, one per method (unmodifiable). */
  public List<Line> lines() {
    return lines;
  }

  /** Mean of the defined values, NaN if there are none. */
  static double mean(List<ScanRow> rows, ToDoubleFunction<ScanRow> f) {
    double sum = 0;
    int n = 0;
    for (ScanRow r : rows) {
      double v = f.applyAsDouble(r);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n > 0 ? sum / n : Double.NaN;
  }
}
