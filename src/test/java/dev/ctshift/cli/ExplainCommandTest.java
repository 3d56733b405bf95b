package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiImage;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctshift explain} as a user runs it: exit codes, messages and the files it writes. */
import dev.ctshift.testing.Cli.Run;

class ExplainCommandTest {
  @TempDir static Path dir;
  static Path scan;

  @BeforeAll
  static void writeScan() throws Exception {
    // An LPS scan, 20x18 in-plane (cropped/padded to the models' 16x16), 6 slices, integer HU.
    double[][] lps = {{-0.8, 0, 0, 10}, {0, -0.8, 0, 20}, {0, 0, 2.5, -30}, {0, 0, 0, 1}};
    float[] hu = new float[20 * 18 * 6];
    Random r = new Random(1);
    for (int i = 0; i < hu.length; i++) {
      hu[i] = Math.round(-600 + 900 * r.nextFloat());
    }
    scan = dir.resolve("scan.nii.gz");
    NiftiWriter.write(scan, new Volume(20, 18, 6, hu, lps), NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
  }

  static String[] explainArgs(Path out, String... extra) {
    String[] base = {"explain", scan.toString(), "-a", Fixtures.model("tiny-ae").toString(),
        "-m", Fixtures.model("tiny-classifier").toString(), "-t", "finding_a", "-o", out.toString(),
        "--frames", "4", "--stop-change", "0.3"};
    return Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
  }

  @Test
  void writesEveryOutputOnTheScansGrid() throws Exception {
    Path out = dir.resolve("out");
    Run r = run(explainArgs(out, "--change-budget", "1"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("scan.nii.gz"), r.out());

    Volume input = NiftiReader.readVolume(scan);
    NiftiImage cf = NiftiReader.read(out.resolve("counterfactual.nii.gz"));
    assertEquals(NiftiDatatype.INT16, cf.datatype(), "integer input gives integer output");
    assertTrue(cf.volume(0).sameGeometry(input, 1e-6), "overlays the input");
    NiftiImage frames = NiftiReader.read(out.resolve("frames.nii.gz"));
    assertEquals(4, frames.volumeCount());
    assertArrayEquals(input.data(), frames.volume(3).data(), "the last frame (lambda 0) is the scan itself");
    assertTrue(NiftiReader.readVolume(out.resolve("heatmap.nii.gz")).sameGeometry(input, 1e-6));
    Volume diff = NiftiReader.readVolume(out.resolve("difference.nii.gz"));
    float[] c = cf.volume(0).data();
    for (int i = 0; i < c.length; i += 97) {
      assertEquals(c[i] - input.data()[i], diff.data()[i], 1.0f);
    }

    JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
    JsonObject scores = report.getAsJsonObject("scores");
    assertTrue(scores.get("counterfactual").getAsDouble() < scores.get("scan").getAsDouble());
    assertEquals(scores.get("scan").getAsDouble(), scores.get("lambda_zero_frame").getAsDouble(), 1e-9);
    assertEquals("finding_a", report.getAsJsonObject("target").get("name").getAsString());
    assertFalse(report.getAsJsonObject("search").get("stop_reason").getAsString().isEmpty());
    assertEquals(64, report.getAsJsonObject("models").getAsJsonObject("model").getAsJsonObject("sha256")
        .get("model.pt").getAsString().length());
    assertTrue(report.get("peak_rss_mib").getAsDouble() > 0);

    try (ImageInputStream in = ImageIO.createImageInputStream(out.resolve("animation.gif").toFile())) {
      ImageReader gif = ImageIO.getImageReadersByFormatName("gif").next();
      gif.setInput(in);
      assertEquals(2 * 4 - 2, gif.getNumImages(true), "forward and back through 4 frames");
    }
    assertTrue(ImageIO.read(out.resolve("panel.png").toFile()).getHeight() > 0);
    try (Stream<Path> files = Files.list(out)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".ctshift-staging")));
    }
  }

  @Test
  void unreadableScanFailsWithExitCode3AndNoOutput() throws Exception {
    Path bad = dir.resolve("broken.nii.gz");
    Files.writeString(bad, "this is not a scan");
    Path out = dir.resolve("out-bad");
    Run r = run(explainArgs(out).clone()[0], bad.toString(), "-a", Fixtures.model("tiny-ae").toString(),
        "-m", Fixtures.model("tiny-classifier").toString(), "-o", out.toString());
    assertEquals(3, r.code());
    assertTrue(r.err().contains("broken.nii.gz"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace by default: " + r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void missingModelFailsWithExitCode4() {
    Run r = run("explain", scan.toString(), "-m", dir.resolve("nowhere").toString(),
        "-a", Fixtures.model("tiny-ae").toString(), "-o", dir.resolve("o4").toString());
    assertEquals(4, r.code());
    assertTrue(r.err().contains("nowhere"), r.err());
  }

  @Test
  void unknownTargetNamesTheOutputs() {
    Run r = run("explain", scan.toString(), "-a", Fixtures.model("tiny-ae").toString(),
        "-m", Fixtures.model("tiny-classifier").toString(), "-t", "effusion", "-o", dir.resolve("o5").toString());
    assertEquals(4, r.code());
    assertTrue(r.err().contains("finding_a") && r.err().contains("effusion"), r.err());
  }

  @Test
  void invalidOptionIsAUsageError() {
    Run r = run("explain", scan.toString(), "--composition", "sideways");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("sideways") && r.err().contains("residual"), r.err());
    assertEquals(2, run("explain", "--frames", "1").code());
    Run restarts = run("explain", scan.toString(), "--restarts", "-1");
    assertEquals(2, restarts.code());
    assertTrue(restarts.err().contains("restarts must be >= 0"), restarts.err());
  }

  @Test
  void restartsReachTheEngineAndTheReport() throws Exception {
    // bowl-classifier (see ShiftPathTest): logit = 40 (mean A - 0.5)^2 + 2 mean B - 2. Along the
    // straight line from this scan the score falls, then rises again short of 0.2; only a new
    // gradient taken where it stalls reaches 0.2. The scan is RAS, 16x16x6, the model's exact input,
    // with preprocessed values in [0.6, 0.9] (window -1000..1000 HU onto 0..1).
    float[] hu = new float[16 * 16 * 6];
    Random random = new Random(11);
    for (int i = 0; i < hu.length; i++) {
      hu[i] = -1000 + 2000 * (0.6f + 0.3f * random.nextFloat());
    }
    double[][] ras = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    Path bowlScan = dir.resolve("bowl-scan.nii.gz");
    NiftiWriter.write(bowlScan, new Volume(16, 16, 6, hu, ras), NiftiWriter.Options.defaults());

    JsonObject straight = explainBowl(bowlScan, "0");
    JsonObject restarted = explainBowl(bowlScan, "2");
    JsonObject search0 = straight.getAsJsonObject("search");
    JsonObject search2 = restarted.getAsJsonObject("search");
    assertEquals(0, search0.get("restarts_allowed").getAsInt());
    assertEquals(2, search2.get("restarts_allowed").getAsInt());
    assertEquals("[0.0]", search0.getAsJsonArray("gradients_at_lambda").toString(), "one gradient, at the scan");
    // The first gradient is taken at the scan; each restart adds one, farther along the path.
    var at = search2.getAsJsonArray("gradients_at_lambda");
    assertEquals(0.0, at.get(0).getAsDouble());
    assertTrue(at.size() >= 2 && at.size() <= 3, "the search took a new gradient: " + at);
    for (int i = 1; i < at.size(); i++) {
      assertTrue(Math.abs(at.get(i).getAsDouble()) > Math.abs(at.get(i - 1).getAsDouble()), at.toString());
    }
    double stalled = straight.getAsJsonObject("scores").get("counterfactual").getAsDouble();
    double reached = restarted.getAsJsonObject("scores").get("counterfactual").getAsDouble();
    assertTrue(stalled > 0.3, "the straight line stalls: " + stalled);
    assertTrue(reached <= 0.2, "the restarts reach the target: " + reached + " (straight: " + stalled + ")");
  }

  static JsonObject explainBowl(Path bowlScan, String restarts) throws Exception {
    Path out = dir.resolve("out-bowl-restarts-" + restarts);
    Run r = run("explain", bowlScan.toString(), "-a", Fixtures.model("identity-ae").toString(),
        "-m", Fixtures.model("bowl-classifier").toString(), "-t", "bowl", "-o", out.toString(),
        "--method", "straight", "--restarts", restarts, "--stop-at", "0.2", "--chunk-slices", "4",
        "--frames", "6", "--no-html", "--assume-hu");
    assertEquals(0, r.code(), r.err());
    return JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
  }
}
