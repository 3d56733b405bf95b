package dev.ctshift.report.html;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.testing.HeadlessChromium;
import dev.ctshift.volume.Volume;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** index.html of a real batch (three scans and a broken file) in headless Chromium. */
class BatchIndexBrowserTest {
  @TempDir Path dir;

  @Test
  void indexListsEveryScanSortsAndLinksToEachReport() throws Exception {
    Path in = dir.resolve("in");
    for (int s = 1; s <= 3; s++) {
      writeScan(in.resolve("case0" + s + ".nii.gz"), s);
    }
    Files.writeString(in.resolve("broken.nii.gz"), "this is not a scan");
    Path out = dir.resolve("out");
    Run r = run("batch", in.toString(), "-o", out.toString(), "-a", Fixtures.model("tiny-ae").toString(),
        "-m", Fixtures.model("tiny-classifier").toString(), "--frames", "3", "--stop-change", "0.3",
        "--change-budget", "1");
    assertTrue(r.out().contains("3 ok, 1 failed"), r.out() + r.err());
    Path index = out.resolve("index.html");
    assertTrue(Files.exists(index), "batch writes index.html");
    String html = Files.readString(index);
    assertFalse(html.contains("http-equiv=\"refresh\""), "a finished batch's index does not reload itself");

    JsonArray scans = JsonParser.parseString(Files.readString(out.resolve("summary.json"))).getAsJsonObject()
        .getAsJsonArray("scans");
    Map<String, Double> after = new HashMap<>();
    for (JsonElement e : scans) {
      JsonObject o = e.getAsJsonObject();
      if (o.get("status").getAsString().equals("ok")) {
        after.put(o.get("input").getAsString(), o.get("score_after").getAsDouble());
      }
    }

    try (HeadlessChromium browser = HeadlessChromium.startOrSkip();
         HeadlessChromium.Page page = browser.open(index)) {
      page.waitFor("document.readyState === 'complete'");
      assertTrue(page.consoleErrors().isEmpty(), page.consoleErrors().toString());
      for (String url : page.requests()) {
        assertTrue(url.equals(index.toUri().toString()) || url.startsWith("data:"), "the index loaded " + url);
      }
      assertEquals(4, page.eval("document.querySelectorAll('#scans tbody tr').length").getAsInt());
      String failed = page.eval("document.querySelector('#scans tr.failed').textContent").getAsString();
      assertTrue(failed.contains("broken.nii.gz") && failed.contains("neither NIfTI nor DICOM"), failed);
      assertEquals(3, page.eval("document.querySelectorAll('#scans tbody img').length").getAsInt(), "thumbnails");

      // Sort by "score after" (a real click on its header): ascending, then descending.
      int column = page.eval("Array.from(document.querySelectorAll('#scans th')).findIndex("
          + "th => th.textContent === 'score after')").getAsInt();
      for (boolean ascending : new boolean[] {true, false}) {
        JsonObject at = page.eval("(() => { const r = document.querySelectorAll('#scans th')[" + column
            + "].getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")
            .getAsJsonObject();
        page.click(at.get("x").getAsDouble(), at.get("y").getAsDouble());
        JsonArray order = page.eval("Array.from(document.querySelectorAll('#scans tbody tr')).map("
            + "tr => tr.cells[1].textContent)").getAsJsonArray();
        List<String> expected = new ArrayList<>(after.keySet());
        expected.sort(Comparator.comparing(after::get));
        if (!ascending) {
          java.util.Collections.reverse(expected);
        }
        for (int i = 0; i < 3; i++) {
          assertEquals(expected.get(i), order.get(i).getAsString(), "row " + i + (ascending ? " ascending" : " descending"));
        }
        assertTrue(order.get(3).getAsString().startsWith("broken.nii.gz"), "no score sorts last: " + order);
      }

      // Every ok row links to its report.html, which exists next to the index.
      JsonArray links = page.eval("Array.from(document.querySelectorAll('#scans tbody td:nth-child(2) a'))"
          + ".map(a => a.href)").getAsJsonArray();
      assertEquals(3, links.size());
      for (JsonElement l : links) {
        Path target = Path.of(URI.create(l.getAsString()));
        assertTrue(Files.exists(target) && target.getFileName().toString().equals("report.html"), target.toString());
      }
    }
  }

  private static void writeScan(Path file, int seed) throws Exception {
    double[][] ras = {{0.8, 0, 0, 0}, {0, 0.8, 0, 0}, {0, 0, 2.5, 0}, {0, 0, 0, 1}};
    float[] hu = new float[20 * 18 * 6];
    Random r = new Random(seed);
    for (int i = 0; i < hu.length; i++) {
      hu[i] = Math.round(-600 + 900 * r.nextFloat());
    }
    Files.createDirectories(file.getParent());
    NiftiWriter.write(file, new Volume(20, 18, 6, hu, ras),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
  }
}
