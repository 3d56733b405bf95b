package dev.ctshift.report.html;

import dev.ctshift.evaluate.ScanRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link IndexPage} of {@code ctshift evaluate}: one row per scan and method, from the rows of
 * per_scan.csv. An evaluation keeps no per-scan output folders, so rows have no link or thumbnail.
 */
public final class EvaluationIndex {
  private static final List<IndexPage.Column> COLUMNS = List.of(new IndexPage.Column("scan", false),
      new IndexPage.Column("method", false), new IndexPage.Column("score before", true),
      new IndexPage.Column("reconstruction", true), new IndexPage.Column("score after", true),
      new IndexPage.Column("stop reason", false), new IndexPage.Column("λ*", true),
      new IndexPage.Column("change share inside", true), new IndexPage.Column("mean |change| HU inside", true),
      new IndexPage.Column("mean |change| HU outside", true), new IndexPage.Column("evaluations", true),
      new IndexPage.Column("time s", true));

  private EvaluationIndex() {}

  /**
   * Writes {@code dir/index.html}.
   *
   * @param running whether more scans will follow (the page then reloads itself)
   */
  public static void write(Path dir, String title, List<ScanRow> rows, boolean running) throws IOException {
    List<IndexPage.Row> out = new ArrayList<>();
    for (ScanRow r : rows) {
      boolean saliency = r.method().isSaliency();
      out.add(new IndexPage.Row(Arrays.asList(r.id(), r.method().label(), r.scanScore(), r.reconstructionScore(),
          saliency ? null : r.counterfactualScore(), r.stopReason(), saliency ? null : r.lambdaStar(),
          saliency ? r.mapShareInside() : r.changeShareInside(), r.meanAbsDeltaHuInside(),
          r.meanAbsDeltaHuOutside(), r.evaluations(), r.seconds()), null, null, false, null));
    }
    IndexPage.write(dir.resolve(IndexPage.FILE), title, List.of(rows.size() + " rows (scan × method); the "
        + "tables per_scan.csv and summary.md hold the same and more"), COLUMNS, out, running);
  }
}
