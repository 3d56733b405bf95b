package dev.ctshift.report.html;

import dev.ctshift.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code index.html}: a table of scans, one row each, sortable by any column in the browser (click a
 * header), with an optional thumbnail and a link to each scan's own page. The table is plain HTML, so
 * it reads without JavaScript too. While a run is still going the page reloads itself every
 * {@link #RELOAD_SECONDS} seconds, so a browser left open follows it.
 */
public final class IndexPage {
  /** File name in a batch or evaluation output folder. */
  public static final String FILE = "index.html";
  static final int RELOAD_SECONDS = 10;

  /**
   * A column.
   *
   * @param title header text
   * @param numeric sort numerically (cells are {@link Number}s or null), else as text
   */
  public record Column(String title, boolean numeric) {}

  /**
   * A row.
   *
   * @param cells one per column: a {@link Number}, a String or null (shown as "–", sorted last)
   * @param link relative URL of the scan's page, or null; the first cell links to it
   * @param thumbnail a {@code data:} URL of a small image, or null
   * @param failed whether the row is a failure (highlighted)
   * @param error why it failed, or null
   */
  public record Row(List<Object> cells, String link, String thumbnail, boolean failed, String error) {}

  private IndexPage() {}

  /**
   * Writes the page to {@code file}, replacing it atomically.
   *
   * @param running whether more rows will come (the page then reloads itself)
   */
  public static void write(Path file, String title, List<String> lines, List<Column> columns, List<Row> rows,
      boolean running) throws IOException {
    AtomicFiles.writeString(file, render(title, lines, columns, rows, running));
  }

  static String render(String title, List<String> lines, List<Column> columns, List<Row> rows, boolean running) {
    StringBuilder b = new StringBuilder();
    if (running) {
      b.append("<meta http-equiv=\"refresh\" content=\"").append(RELOAD_SECONDS).append("\">\n");
    }
    String head = b.toString();
    b.setLength(0);
    for (String line : lines) {
      b.append("<p>").append(Resources.escapeHtml(line)).append("</p>\n");
    }
    if (running) {
      b.append("<p class=\"running\">running: this page reloads every ").append(RELOAD_SECONDS)
          .append(" s</p>\n");
    }
    b.append("<table id=\"scans\">\n<thead><tr><th>picture</th>");
    for (int c = 0; c < columns.size(); c++) {
      b.append("<th data-col=\"").append(c + 1).append("\" data-numeric=\"").append(columns.get(c).numeric())
          .append("\" title=\"click to sort\">").append(Resources.escapeHtml(columns.get(c).title()))
          .append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (Row r : rows) {
      b.append(r.failed() ? "<tr class=\"failed\">" : "<tr>");
      b.append("<td>");
      if (r.thumbnail() != null) {
        String img = "<img alt=\"most changed slice\" src=\"" + Resources.escapeHtml(r.thumbnail()) + "\">";
        b.append(r.link() != null ? link(r.link(), img) : img);
      }
      b.append("</td>");
      for (int c = 0; c < columns.size(); c++) {
        Object v = c < r.cells().size() ? r.cells().get(c) : null;
        String text = v == null ? "–" : v instanceof Number n ? number(n) : v.toString();
        String sort = v == null ? "" : v instanceof Number n ? Double.toString(n.doubleValue()) : v.toString();
        b.append("<td data-sort=\"").append(Resources.escapeHtml(sort)).append("\">");
        String cell = Resources.escapeHtml(text);
        b.append(c == 0 && r.link() != null ? link(r.link(), cell) : cell);
        if (c == 0 && r.error() != null) {
          b.append("<div class=\"error\">").append(Resources.escapeHtml(r.error())).append("</div>");
        }
        b.append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody>\n</table>\n");
    return Resources.page("index.html", "index.css", "index.js", java.util.Map.of("TITLE", Resources.escapeHtml(title),
        "HEAD", head, "BODY", b.toString()));
  }

  private static String link(String href, String inner) {
    return "<a href=\"" + Resources.escapeHtml(href) + "\">" + inner + "</a>";
  }

  private static String number(Number n) {
    if (n instanceof Integer || n instanceof Long) {
      return n.toString();
    }
    double d = n.doubleValue();
    if (Double.isNaN(d)) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.4g", d).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1");
  }
}
