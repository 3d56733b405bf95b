package dev.ctshift.evaluate;

import dev.ctshift.CtShiftException;
import dev.ctshift.io.Scan;
import dev.ctshift.io.ScanReader;
import dev.ctshift.io.sanity.InputPolicy;
import dev.ctshift.io.sanity.ScanCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Evaluates a whole cohort: every scan (positives only if asked, at most {@code limit}) with every
 * method, writing {@code per_scan.csv} after each scan (so an interrupted run keeps its rows) and
 * {@code summary.csv} and {@code summary.md} at the end.
 *
 * <pre>{@code
 * Result r = CohortEvaluation.run(Cohort.open(dir), evaluator, new Options(2, true, 0), out, "title",
 *     System.err::println);
 * }</pre>
 */
public final class CohortEvaluation {
  /**
   * @param maskLabel the label of the finding in the label maps
   * @param onlyPositive skip scans whose mask is empty
   * @param limit evaluate at most this many scans (those that pass the filter); 0 for all
   * @param inputPolicy how scan values are taken ({@link ScanCheck} runs on every scan)
   */
  public record Options(int maskLabel, boolean onlyPositive, int limit, InputPolicy inputPolicy) {
    /** Options with scans checked as HU. */
    public Options(int maskLabel, boolean onlyPositive, int limit) {
      this(maskLabel, onlyPositive, limit, InputPolicy.DEFAULT);
    }
  }

  /** What a run produced: the rows, their summary and the markdown table written. */
  public record Result(List<ScanRow> rows, Summary summary, String markdown) {}

  private CohortEvaluation() {}

  /**
   * Runs the evaluation and writes its files into {@code out}.
   *
   * @param title first line of {@code summary.md}
   * @throws CtShiftException if a scan or label map cannot be read (naming it), no scan is left to
   *     evaluate (naming the folder), the engine fails or a file cannot be written
   */
  public static Result run(Cohort cohort, Evaluator evaluator, Options options, Path out, String title,
      Consumer<String> progress) throws CtShiftException {
    List<Cohort.Case> cases = cohort.cases();
    List<ScanRow> rows = new ArrayList<>();
    int evaluated = 0;
    for (int n = 0; n < cases.size() && (options.limit() <= 0 || evaluated < options.limit()); n++) {
      Cohort.Case c = cases.get(n);
      Scan scan = ScanCheck.check(ScanReader.read(c.scan(), null, options.inputPolicy().allowedModalities(), progress),
          options.inputPolicy(), progress);
      boolean[] mask = Cohort.mask(c, options.maskLabel(), scan.hu());
      int voxels = MapMetrics.count(mask);
      String at = String.format(Locale.ROOT, "[%d/%d] %s", n + 1, cases.size(), c.id());
      if (voxels == 0 && options.onlyPositive()) {
        progress.accept(at + ": no voxel of label " + options.maskLabel() + ", skipped (--only-positive)");
        continue;
      }
      progress.accept(at + ": " + scan.description() + ", " + voxels + " voxels of label " + options.maskLabel());
      for (ScanRow r : evaluator.evaluate(c.id(), scan.hu(), mask)) {
        progress.accept(at + " " + describe(r));
        rows.add(r);
      }
      evaluated++;
      Tables.write(out.resolve(Tables.PER_SCAN), Tables.perScanCsv(rows));
      writeIndex(out, title, rows, true);
    }
    if (rows.isEmpty()) {
      throw new CtShiftException(cohort.dir() + ": no scan to evaluate: none of the " + cases.size() + " scans has"
          + " a voxel of label " + options.maskLabel() + " (check --mask-label, or drop --only-positive)");
    }
    Summary summary = Summary.of(rows);
    String markdown = Tables.summaryMarkdown(summary, title);
    Tables.write(out.resolve(Tables.SUMMARY_CSV), Tables.summaryCsv(summary));
    Tables.write(out.resolve(Tables.SUMMARY_MD), markdown);
    writeIndex(out, title, rows, false);
    return new Result(rows, summary, markdown);
  }

  private static void writeIndex(Path out, String title, List<ScanRow> rows, boolean running) throws CtShiftException {
    try {
      dev.ctshift.report.html.EvaluationIndex.write(out, title, rows, running);
    } catch (java.io.IOException e) {
      throw new CtShiftException(out.resolve(dev.ctshift.report.html.IndexPage.FILE) + ": cannot write: "
          + e.getMessage(), e);
    }
  }

  private static String describe(ScanRow r) {
    String where = r.positive() ? String.format(Locale.ROOT, "share inside %.3f, IoU %.3f, ",
        r.method().isSaliency() ? r.mapShareInside() : r.changeShareInside(), r.mapIoU()) : "";
    if (r.method().isSaliency()) {
      return String.format(Locale.ROOT, "saliency: %s%.2f s", where, r.seconds());
    }
    return String.format(Locale.ROOT, "%s: score %.4f -> %.4f (%s, %d evaluations), %s%.2f s", r.method().label(),
        r.scanScore(), r.counterfactualScore(), r.stopReason(), r.evaluations(), where, r.seconds());
  }
}
