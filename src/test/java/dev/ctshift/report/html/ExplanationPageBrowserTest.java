package dev.ctshift.report.html;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.report.render.SliceView;
import dev.ctshift.report.render.Window;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.testing.HeadlessChromium;
import dev.ctshift.volume.Volume;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html of a real explanation (committed tiny TorchScript models, an LPS scan) in headless
 * Chromium: what a user sees and can do, checked against the NIfTI outputs, panel.png and report.json.
 */
class ExplanationPageBrowserTest {
  @TempDir static Path dir;
  static Path out;
  static Volume scan;
  static JsonObject report;
  static HeadlessChromium browser;

  @BeforeAll
  static void explainAndStartBrowser() throws Exception {
    // LPS storage, so the page must turn it to radiological display as SliceView does.
    double[][] lps = {{-0.8, 0, 0, 10}, {0, -0.8, 0, 20}, {0, 0, 2.5, -30}, {0, 0, 0, 1}};
    int nx = 20;
    int ny = 18;
    int nz = 6;
    float[] hu = new float[nx * ny * nz];
    Random r = new Random(3);
    for (int i = 0; i < hu.length; i++) {
      // A left-right ramp plus noise: a flipped axis changes the picture.
      hu[i] = Math.round(-900 + 60 * (i % nx) + 200 * r.nextFloat());
    }
    scan = new Volume(nx, ny, nz, hu, lps);
    Path scanFile = dir.resolve("scan.nii.gz");
    NiftiWriter.write(scanFile, scan, NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    out = dir.resolve("out");
    Run e = run("explain", scanFile.toString(), "-a", Fixtures.model("tiny-ae").toString(), "-m",
        Fixtures.model("tiny-classifier").toString(), "-t", "finding_a", "-o", out.toString(), "--frames", "4",
        "--stop-change", "0.3", "--change-budget", "1");
    assertEquals(0, e.code(), e.err());
    report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
    browser = HeadlessChromium.startOrSkip();
  }

  @AfterAll
  static void stopBrowser() throws Exception {
    if (browser != null) {
      browser.close();
    }
  }

  private static HeadlessChromium.Page openReport() throws Exception {
    return open(out.resolve("report.html"));
  }

  /** Opens a page and waits until it has shown its volumes (or failed: then the test fails). */
  private static HeadlessChromium.Page open(Path file) throws Exception {
    HeadlessChromium.Page page = browser.open(file);
    page.waitFor("document.body && (document.body.dataset.ready === 'true' "
        + "|| document.getElementById('status').className.includes('error'))");
    assertEquals(true, page.eval("document.body.dataset.ready === 'true'").getAsBoolean(),
        "page failed: " + page.eval("document.getElementById('status').textContent") + " " + page.consoleErrors());
    return page;
  }

  @Test
  void loadsWithoutErrorsAndFromNothingButItself() throws Exception {
    try (HeadlessChromium.Page page = openReport()) {
      assertTrue(page.consoleErrors().isEmpty(), page.consoleErrors().toString());
      String self = out.resolve("report.html").toUri().toString();
      for (String url : page.requests()) {
        assertTrue(url.equals(self) || url.startsWith("data:") || url.startsWith("blob:"),
            "the page loaded " + url);
      }
      BufferedImage shot = ImageIO.read(new ByteArrayInputStream(page.screenshot()));
      assertTrue(distinctColours(shot) > 50, "screenshot is nearly blank");
      assertTrue(page.eval("document.getElementById('facts').textContent").getAsString()
          .contains(report.get("command_line").getAsString()), "facts show the command line");
    }
  }

  @Test
  void axialViewShowsThePanelSliceInThePanelWindow() throws Exception {
    int k = report.getAsJsonObject("slices").getAsJsonArray("most_changed").get(0).getAsInt();
    try (HeadlessChromium.Page page = openReport()) {
      assertEquals(k, page.eval("ctshiftViewer.kOf()").getAsInt(), "opens at the most changed slice");
      int[] input = canvas(page, "axial-input");
      // Exactly the pixels SliceView draws for panel.png before it scales them up.
      assertArrayNear(SliceView.of(scan, k).toImage(Window.CHEST), input, 0, "input");
      Volume cf = NiftiReader.readVolume(out.resolve("counterfactual.nii.gz"));
      assertArrayNear(SliceView.of(cf, k).toImage(Window.CHEST), canvas(page, "axial-frame"), 1, "counterfactual");

      // And panel.png itself: its first tile is that slice scaled up bilinearly; scale the page's
      // grey levels the same way and compare.
      BufferedImage panel = ImageIO.read(out.resolve("panel.png").toFile());
      SliceView native_ = SliceView.of(scan, k);
      float[] grey = new float[input.length];
      for (int i = 0; i < grey.length; i++) {
        grey[i] = input[i] & 0xff;
      }
      SliceView scaled = new SliceView(grey, native_.width(), native_.height(), native_.pixelWidthMm(),
          native_.pixelHeightMm(), native_.plane()).resample(SliceView.DEFAULT_MIN_HEIGHT_PX,
          SliceView.Interpolation.BILINEAR);
      int worst = 0;
      for (int y = 0; y < scaled.height(); y++) {
        for (int x = 0; x < scaled.width(); x++) {
          int tile = panel.getRGB(x, y) & 0xff;
          worst = Math.max(worst, Math.abs(tile - Math.round(scaled.value(x, y))));
        }
      }
      assertTrue(worst <= 2, "page slice vs panel.png tile: max grey difference " + worst);
    }
  }

  @Test
  void lambdaSliderShowsEachFrameAndItsScore() throws Exception {
    JsonArray sweep = report.getAsJsonArray("sweep");
    int k = report.getAsJsonObject("slices").getAsJsonArray("most_changed").get(0).getAsInt();
    try (HeadlessChromium.Page page = openReport()) {
      assertEquals(sweep.get(0).getAsJsonObject().get("score").getAsDouble(), frameScore(page), 1e-9);
      int[] before = canvas(page, "axial-frame");
      page.eval("document.getElementById('lambda').focus()");
      page.press("ArrowLeft"); // one step toward λ = 0: sweep frame 1
      page.waitFor("ctshiftViewer.state.frame === 1");
      assertEquals(sweep.get(1).getAsJsonObject().get("score").getAsDouble(), frameScore(page), 1e-9);
      int[] after = canvas(page, "axial-frame");
      assertNotEquals(java.util.Arrays.hashCode(before), java.util.Arrays.hashCode(after), "picture changed");
      Volume frame1 = NiftiReader.read(out.resolve("frames.nii.gz")).volume(1);
      assertArrayNear(SliceView.of(frame1, k).toImage(Window.CHEST), after, 1, "frame 1");
      assertTrue(page.eval("document.getElementById('current-frame') !== null").getAsBoolean());
    }
  }

  @Test
  void clickingThePerSliceCurveMovesTheAxialView() throws Exception {
    try (HeadlessChromium.Page page = openReport()) {
      int k = page.eval("ctshiftViewer.kOf()").getAsInt();
      int wanted = k == 0 ? scan.nz() - 1 : 0;
      // Viewport coordinates of that slice's bar, after scrolling the plot into view.
      JsonObject pos = page.eval("(() => { document.getElementById('slice-plot').scrollIntoView({block: 'center'});"
          + " const bar = document.querySelectorAll('#slice-plot rect.bar')[" + wanted + "].getBoundingClientRect();"
          + " const plot = document.getElementById('slice-plot').getBoundingClientRect();"
          + " return {x: bar.left + bar.width / 2, y: plot.top + plot.height / 2}; })()").getAsJsonObject();
      page.click(pos.get("x").getAsDouble(), pos.get("y").getAsDouble());
      page.waitFor("ctshiftViewer.kOf() === " + wanted);
      assertArrayNear(SliceView.of(scan, wanted).toImage(Window.CHEST), canvas(page, "axial-input"), 0,
          "axial view at the clicked slice");
    }
  }

  @Test
  void anExplanationWithoutSweepFramesStillShows() throws Exception {
    // An explanation that stopped at λ* = 0 (already at its target) has no sweep to show.
    JsonObject noSweep = report.deepCopy();
    noSweep.add("sweep", new JsonArray());
    noSweep.getAsJsonObject("search").addProperty("lambda_star", 0.0);
    noSweep.getAsJsonObject("search").addProperty("stop_reason", "already-at-target");
    Path page = dir.resolve("no-sweep/report.html");
    Files.createDirectories(page.getParent());
    ExplanationPage.write(page, new ExplanationPage.Content(scan, java.util.List.of(), scan, 20, Window.CHEST, noSweep));
    try (HeadlessChromium.Page p = open(page)) {
      assertTrue(p.consoleErrors().isEmpty(), p.consoleErrors().toString());
      assertTrue(p.eval("document.getElementById('lambda').disabled").getAsBoolean(), "no frames to slide through");
      assertTrue(p.eval("document.getElementById('frame-label').textContent").getAsString().contains("no sweep"));
      int[] change = canvas(p, "axial-change");
      for (int rgb : change) {
        assertEquals(0xffffff, rgb, "no change: the diverging map's white");
      }
    }
  }

  @Test
  void framesReducedToFitTheBudgetShowBlockMeansAndSaySo() throws Exception {
    JsonArray sweep = report.getAsJsonArray("sweep");
    java.util.List<Volume> frames = new java.util.ArrayList<>();
    dev.ctshift.io.nifti.NiftiImage image = NiftiReader.read(out.resolve("frames.nii.gz"));
    for (int t = 0; t < image.volumeCount(); t++) {
      frames.add(image.volume(t));
    }
    Path file = dir.resolve("reduced/report.html");
    Files.createDirectories(file.getParent());
    // A budget of one byte: intermediate frames go down to the coarsest reduction.
    Files.writeString(file, ExplanationPage.render(new ExplanationPage.Content(scan, frames, frames.get(0),
        report.getAsJsonObject("slices").get("display_scale_hu").getAsDouble(), Window.CHEST, report), 1));
    int r = ExplanationPage.MAX_REDUCTION;
    try (HeadlessChromium.Page page = open(file)) {
      assertTrue(page.consoleErrors().isEmpty(), page.consoleErrors().toString());
      assertTrue(page.eval("document.getElementById('reduced').textContent").getAsString()
          .contains("1/" + r + " of the in-plane resolution"), "the page says what was reduced");
      page.eval("ctshiftViewer.setFrame(1)");
      assertEquals(sweep.get(1).getAsJsonObject().get("score").getAsDouble(), frameScore(page), 1e-9);
      // Expected: the scan plus the r x r block mean of frame 1's change, in display order.
      int k = page.eval("ctshiftViewer.kOf()").getAsInt();
      SliceView s = SliceView.of(scan, k);
      SliceView change = SliceView.of(frames.get(1), k).minus(s);
      float[] expected = new float[s.values().length];
      for (int y = 0; y < s.height(); y++) {
        for (int x = 0; x < s.width(); x++) {
          double sum = 0;
          int n = 0;
          for (int yy = y / r * r; yy < Math.min(s.height(), y / r * r + r); yy++) {
            for (int xx = x / r * r; xx < Math.min(s.width(), x / r * r + r); xx++) {
              sum += Math.round(change.value(xx, yy));
              n++;
            }
          }
          expected[x + s.width() * y] = s.value(x, y) + Math.round((float) (sum / n));
        }
      }
      assertArrayNear(new SliceView(expected, s.width(), s.height(), 1, 1, s.plane()).toImage(Window.CHEST),
          canvas(page, "axial-frame"), 1, "reduced frame 1");
      page.eval("ctshiftViewer.setFrame(0)");
      Volume cf = NiftiReader.readVolume(out.resolve("counterfactual.nii.gz"));
      assertArrayNear(SliceView.of(cf, k).toImage(Window.CHEST), canvas(page, "axial-frame"), 1,
          "the counterfactual stays at full resolution");
    }
  }

  @Test
  void htmlOnlyRebuildsTheSamePageFromTheOutputFolder() throws Exception {
    Path copy = dir.resolve("rebuilt");
    Files.createDirectories(copy);
    for (String name : new String[] {"report.json", "frames.nii.gz"}) {
      Files.copy(out.resolve(name), copy.resolve(name));
    }
    Run r = run("explain", dir.resolve("scan.nii.gz").toString(), "--html-only", "-o", copy.toString());
    assertEquals(0, r.code(), r.err());
    // frames.nii.gz holds the frames in whole HU, which is what the page stores: the same bytes.
    assertEquals(Files.readString(out.resolve("report.html")), Files.readString(copy.resolve("report.html")));

    Files.delete(copy.resolve("frames.nii.gz"));
    Run missing = run("explain", dir.resolve("scan.nii.gz").toString(), "--html-only", "-o", copy.toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("frames.nii.gz: missing"), missing.err());
  }

  private static double frameScore(HeadlessChromium.Page page) throws Exception {
    return Double.parseDouble(page.eval("document.getElementById('frame-score').textContent").getAsString());
  }

  /** The canvas's pixels as 0xRRGGBB. */
  private static int[] canvas(HeadlessChromium.Page page, String id) throws Exception {
    JsonElement e = page.eval("(() => { const c = document.getElementById('" + id + "');"
        + " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); })()");
    JsonArray a = e.getAsJsonArray();
    int[] rgb = new int[a.size() / 4];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = a.get(4 * i).getAsInt() << 16 | a.get(4 * i + 1).getAsInt() << 8 | a.get(4 * i + 2).getAsInt();
    }
    return rgb;
  }

  private static void assertArrayNear(BufferedImage expected, int[] actual, int tolerance, String what) {
    assertEquals(expected.getWidth() * expected.getHeight(), actual.length, what + ": size");
    int worst = 0;
    for (int y = 0; y < expected.getHeight(); y++) {
      for (int x = 0; x < expected.getWidth(); x++) {
        int e = expected.getRGB(x, y);
        int a = actual[x + expected.getWidth() * y];
        for (int shift = 0; shift <= 16; shift += 8) {
          worst = Math.max(worst, Math.abs(((e >> shift) & 0xff) - ((a >> shift) & 0xff)));
        }
      }
    }
    assertTrue(worst <= tolerance, what + ": max channel difference " + worst + " > " + tolerance);
  }

  private static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        colours.add(img.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
