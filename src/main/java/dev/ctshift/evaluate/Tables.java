package dev.ctshift.evaluate;

import dev.ctshift.AtomicFiles;
import dev.ctshift.CtShiftException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation's files: {@code per_scan.csv}, {@code summary.csv} and {@code summary.md}. CSV
 * numbers are written with 6 significant digits, undefined values as empty cells; each file is
 * replaced atomically (written beside it, then moved).
 */
public final class Tables {
  public static final String PER_SCAN = "per_scan.csv";
  public static final String SUMMARY_CSV = "summary.csv";
  public static final String SUMMARY_MD = "summary.md";

  static final String PER_SCAN_HEADER = "id,method,mask_voxels,dilated_voxels,scan_score,reconstruction_score,"
      + "reconstruction_gap,counterfactual_score,threshold,crossed,stop_reason,reached_target,lambda_star,"
      + "change_share_inside,map_share_inside,map_iou,mean_abs_dhu_inside,mean_abs_dhu_outside,evaluations,"
      + "search_evaluations,seconds,peak_rss_mib,gradients";

  static final String SUMMARY_HEADER = "method,scans,positives,validity_percent,validity_applicable,"
      + "reached_target_percent,change_share_inside,map_share_inside,map_iou,mean_abs_dhu_inside,"
      + "mean_abs_dhu_outside,reconstruction_gap,evaluations,search_evaluations,seconds,peak_rss_mib,gradients";

  private Tables() {}

  /** {@code per_scan.csv}: the header and one line per row. */
  public static String perScanCsv(List<ScanRow> rows) {
    StringBuilder b = new StringBuilder(PER_SCAN_HEADER).append('\n');
    for (ScanRow r : rows) {
      b.append(String.join(",", cell(r.id()), r.method().label(), Integer.toString(r.maskVoxels()),
          Integer.toString(r.dilatedVoxels()), num(r.scanScore()), num(r.reconstructionScore()),
          num(r.reconstructionGap()), num(r.counterfactualScore()), num(r.threshold()), num(r.crossed()),
          r.stopReason() == null ? "" : r.stopReason(), num(r.reachedTarget()), num(r.lambdaStar()),
          num(r.changeShareInside()), num(r.mapShareInside()), num(r.mapIoU()), num(r.meanAbsDeltaHuInside()),
          num(r.meanAbsDeltaHuOutside()), Integer.toString(r.evaluations()), Integer.toString(r.searchEvaluations()),
          num(r.seconds()), num(r.peakRssMiB()), Integer.toString(r.gradients()))).append('\n');
    }
    return b.toString();
  }

  /** {@code summary.csv}: the header and one line per method. */
  public static String summaryCsv(Summary s) {
    StringBuilder b = new StringBuilder(SUMMARY_HEADER).append('\n');
    for (Summary.Line l : s.lines()) {
      b.append(String.join(",", l.method().label(), Integer.toString(l.scans()), Integer.toString(l.positives()),
          num(l.validityPercent()), Integer.toString(l.validityApplicable()), num(l.reachedPercent()),
          num(l.changeShareInside()), num(l.mapShareInside()), num(l.mapIoU()), num(l.meanAbsDeltaHuInside()),
          num(l.meanAbsDeltaHuOutside()), num(l.reconstructionGap()), num(l.evaluations()),
          num(l.searchEvaluations()), num(l.seconds()), num(l.peakRssMiB()), num(l.gradients()))).append('\n');
    }
    return b.toString();
  }

  /**
   * {@code summary.md}: a heading line naming what was evaluated, then a table with one row per method
   * and the metrics side by side (undefined values as "–").
   */
  public static String summaryMarkdown(Summary s, String title) {
    List<String> out = new ArrayList<>();
    out.add(title);
    out.add("");
    out.add("| Method | Scans (pos.) | Valid % | Reached % | Δ share in | Map share in | Map IoU"
        + " | mean abs ΔHU in | mean abs ΔHU out | Recon gap | Evaluations (search) | Seconds | Peak RSS MiB |");
    out.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Summary.Line l : s.lines()) {
      String valid = Double.isNaN(l.validityPercent()) ? "–"
          : fmt("%.0f", l.validityPercent()) + " (n=" + l.validityApplicable() + ")";
      String evaluations = l.method().isSaliency() ? "0 (+1 gradient)"
          : fmt("%.1f", l.evaluations()) + " (" + fmt("%.1f", l.searchEvaluations()) + ")";
      out.add("| " + String.join(" | ", l.method().label(), l.scans() + " (" + l.positives() + ")", valid,
          fmt("%.0f", l.reachedPercent()), fmt("%.3f", l.changeShareInside()), fmt("%.3f", l.mapShareInside()),
          fmt("%.3f", l.mapIoU()), fmt("%.1f", l.meanAbsDeltaHuInside()), fmt("%.1f", l.meanAbsDeltaHuOutside()),
          fmt("%.4f", l.reconstructionGap()), evaluations, fmt("%.2f", l.seconds()), fmt("%.0f", l.peakRssMiB()))
          + " |");
    }
    return String.join("\n", out) + "\n";
  }

  /**
   * Replaces {@code target} with {@code text} atomically where the file system allows.
   *
   * @throws CtShiftException naming the file if it cannot be written
   */
  public static void write(Path target, String text) throws CtShiftException {
    try {
      AtomicFiles.writeString(target, text);
    } catch (IOException e) {
      throw new CtShiftException(target + ": cannot write: " + e.getMessage(), e);
    }
  }

  /** A number for CSV: 6 significant digits, empty when undefined. */
  public static String num(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replaceFirst("\\.(e|$)", "$1");
  }

  private static String fmt(String format, double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
  }

  /** A CSV cell, quoted when it holds a comma, quote or line break. */
  private static String cell(String s) {
    return s.matches("[^,\"\\r\\n]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
