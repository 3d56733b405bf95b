package dev.ctshift.report.html;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.batch.Status;
import dev.ctshift.batch.Summary;
import dev.ctshift.batch.SummaryRow;
import dev.ctshift.report.render.Panel;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/**
 * The {@link IndexPage} of a batch: one row per scan of a {@link Summary}, linking to the scan's
 * report.html, with a thumbnail of its most changed slice (the first row of its panel.png) and the
 * mean change read from its report.json.
 */
public final class BatchIndex {
  /** Thumbnail height in pixels. */
  static final int THUMBNAIL_PX = 64;

  private static final List<IndexPage.Column> COLUMNS = List.of(new IndexPage.Column("scan", false),
      new IndexPage.Column("status", false), new IndexPage.Column("target", false),
      new IndexPage.Column("score before", true), new IndexPage.Column("score after", true),
      new IndexPage.Column("stop reason", false), new IndexPage.Column("mean |change| HU", true),
      new IndexPage.Column("λ*", true), new IndexPage.Column("time s", true));

  /** Per scan folder: what was read from its files, until they change. A batch rewrites its index often. */
  private static final Map<Path, Extract> CACHE = new ConcurrentHashMap<>();

  private record Extract(long modified, String thumbnail, Double meanChangeHu) {}

  private BatchIndex() {}

  /** The index file that goes with summary {@code stem}: index.html, or index-shard-I-of-N.html. */
  public static String fileName(String stem) {
    return stem.startsWith("summary") ? "index" + stem.substring("summary".length()) + ".html" : stem + ".html";
  }

  /**
   * Writes {@code dir/}{@link #fileName}{@code (stem)} for {@code summary}, whose output paths are
   * relative to {@code dir}.
   */
  public static void write(Path dir, String stem, Summary summary) throws IOException {
    List<IndexPage.Row> rows = new ArrayList<>();
    for (SummaryRow r : summary.rows()) {
      String output = r.status().finished() ? targetOutput(dir, r) : r.output();
      Path folder = dir.resolve(output);
      boolean hasPage = r.status().finished() && Files.exists(folder.resolve(ExplanationPage.FILE));
      Extract e = r.status().finished() ? extract(folder) : new Extract(0, null, null);
      List<Object> cells = new ArrayList<>(java.util.Arrays.asList(r.input(), r.status().label(), r.target(),
          r.scoreBefore(), r.scoreAfter(), r.stopReason(), e.meanChangeHu(), r.lambdaStar(), r.seconds()));
      rows.add(new IndexPage.Row(cells, hasPage ? output + "/" + ExplanationPage.FILE : null, e.thumbnail(),
          r.status() == Status.FAILED, r.error()));
    }
    long pending = summary.planned().size() - summary.rows().size();
    List<String> lines = new ArrayList<>();
    lines.add(String.format("%d scans planned: %d ok, %d failed, %d done earlier, %d pending", summary.planned().size(),
        summary.count(Status.OK), summary.count(Status.FAILED), summary.count(Status.SKIPPED_DONE), pending));
    if (summary.commandLine() != null) {
      lines.add(summary.commandLine());
    }
    String title = "ctshift batch" + (summary.shard() == null ? "" : " shard " + summary.shard());
    IndexPage.write(dir.resolve(fileName(stem)), title, lines, COLUMNS, rows, pending > 0);
  }

  /**
   * The folder of the row's own explanation, relative to {@code dir}: the scan's folder, or, when the
   * scan was explained for several targets, the subfolder whose report.json names the row's target.
   */
  private static String targetOutput(Path dir, SummaryRow r) {
    Path folder = dir.resolve(r.output());
    if (Files.exists(folder.resolve("report.json")) || r.target() == null) {
      return r.output();
    }
    try (var children = Files.list(folder)) {
      for (Path child : children.filter(Files::isDirectory).sorted().toList()) {
        Path report = child.resolve("report.json");
        if (Files.isRegularFile(report) && r.target().equals(JsonParser.parseString(
            Files.readString(report, StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("target")
            .get("name").getAsString())) {
          return r.output() + "/" + child.getFileName();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unreadable folder: the row links nowhere.
    }
    return r.output();
  }

  private static Extract extract(Path folder) {
    Path report = folder.resolve("report.json");
    Path panel = folder.resolve("panel.png");
    long modified;
    try {
      modified = Files.getLastModifiedTime(report).toMillis();
    } catch (IOException e) {
      return new Extract(0, null, null);
    }
    Extract cached = CACHE.get(folder);
    if (cached != null && cached.modified() == modified) {
      return cached;
    }
    Double mean = null;
    int panelRows = 1;
    try {
      JsonObject slices = JsonParser.parseString(Files.readString(report, StandardCharsets.UTF_8))
          .getAsJsonObject().getAsJsonObject("slices");
      JsonArray perSlice = slices.getAsJsonArray("mean_abs_change_hu_per_slice");
      double sum = 0;
      for (int i = 0; i < perSlice.size(); i++) {
        sum += perSlice.get(i).getAsDouble();
      }
      // Every slice has the same voxel count: the mean over slices is the mean over the scan.
      mean = perSlice.size() == 0 ? null : sum / perSlice.size();
      panelRows = Math.max(1, slices.getAsJsonArray("most_changed").size());
    } catch (IOException | RuntimeException e) {
      // A report without slices (another tool version): the row shows no change value.
    }
    String thumbnail = null;
    try {
      BufferedImage p = ImageIO.read(panel.toFile());
      if (p != null) {
        thumbnail = thumbnail(p, panelRows);
      }
    } catch (IOException e) {
      // No picture: the row links to the report all the same.
    }
    Extract e = new Extract(modified, thumbnail, mean);
    CACHE.put(folder, e);
    return e;
  }

  /** The first row of panel.png (its rows are equal in height), scaled to {@link #THUMBNAIL_PX} high. */
  static String thumbnail(BufferedImage panel, int rows) throws IOException {
    int rowHeight = (panel.getHeight() - Panel.GAP_PX * (rows - 1)) / rows - Panel.CAPTION_PX;
    BufferedImage top = panel.getSubimage(0, 0, panel.getWidth(), Math.max(1, rowHeight));
    int w = Math.max(1, (int) Math.round((double) top.getWidth() * THUMBNAIL_PX / top.getHeight()));
    BufferedImage small = new BufferedImage(w, THUMBNAIL_PX, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = small.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(top, 0, 0, w, THUMBNAIL_PX, null);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(small, "png", png);
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
  }
}
