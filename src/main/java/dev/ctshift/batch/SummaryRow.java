package dev.ctshift.batch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * One scan's line in a batch summary. Numbers are null when unknown (failed scans).
 *
 * @param input the scan as found or listed ({@link ScanJob#input()})
 * @param seriesUid the DICOM series, or null
 * @param output the scan's output folder, relative to the summary's folder ({@code scans/<name>})
 * @param status ok, failed or skipped-done
 * @param target the output or class explained (or requested, for failures); may be null
 * @param scoreBefore the model's score on the scan
 * @param scoreAfter the score on the counterfactual
 * @param lambdaStar the chosen shift λ*
 * @param stopReason why the λ search stopped
 * @param evaluations volume evaluations of the λ search
 * @param seconds wall time of the scan: reading, explaining and writing
 * @param peakRssMiB the process's peak resident memory while the scan ran, MiB
 * @param error why the scan failed, or null
 */
public record SummaryRow(String input, String seriesUid, String output, Status status, String target,
    Double scoreBefore, Double scoreAfter, Double lambdaStar, String stopReason, Integer evaluations,
    Double seconds, Double peakRssMiB, String error) {

  /** Column names of the CSV, and keys of the JSON rows, in order. */
  public static final List<String> COLUMNS = List.of("input", "series_uid", "output", "status", "target",
      "score_before", "score_after", "lambda_star", "stop_reason", "evaluations", "seconds", "peak_rss_mib",
      "error");

  /** The output folder's name, the scan's key in merges. */
  public String name() {
    int slash = output.lastIndexOf('/');
    return slash < 0 ? output : output.substring(slash + 1);
  }

  /** This row with another output path or status. */
  SummaryRow with(String newOutput, Status newStatus) {
    return new SummaryRow(input, seriesUid, newOutput, newStatus, target, scoreBefore, scoreAfter, lambdaStar,
        stopReason, evaluations, seconds, peakRssMiB, error);
  }

  /** The values in {@link #COLUMNS} order, null for missing. */
  List<Object> values() {
    return java.util.Arrays.asList(input, seriesUid, output, status.label(), target, scoreBefore, scoreAfter,
        lambdaStar, stopReason, evaluations, seconds, peakRssMiB, error);
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    List<Object> v = values();
    for (int i = 0; i < COLUMNS.size(); i++) {
      Object x = v.get(i);
      if (x instanceof Number n) {
        o.addProperty(COLUMNS.get(i), n);
      } else {
        o.addProperty(COLUMNS.get(i), (String) x);
      }
    }
    return o;
  }

  static SummaryRow fromJson(JsonObject o) {
    return new SummaryRow(str(o, "input"), str(o, "series_uid"), str(o, "output"), Status.of(str(o, "status")),
        str(o, "target"), num(o, "score_before"), num(o, "score_after"), num(o, "lambda_star"),
        str(o, "stop_reason"), o.has("evaluations") && !o.get("evaluations").isJsonNull()
            ? o.get("evaluations").getAsInt() : null,
        num(o, "seconds"), num(o, "peak_rss_mib"), str(o, "error"));
  }

  private static String str(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static Double num(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsDouble();
  }
}
