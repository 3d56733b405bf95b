package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain --method} and what {@code explain} and {@code batch} do when there is nothing to explain. */
class ExplainMethodCommandTest {
  @TempDir Path dir;

  static JsonObject report(Path out) throws Exception {
    return JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
  }

  @Test
  void aNormalScanIsAlreadyBelowTheEffusionTarget() throws Exception {
    // The bundled classifier scores the bundled normal phantom about 0.04, below the default target 0.1.
    Path out = dir.resolve("normal");
    Run r = run("explain", "samples/phantom-normal.nii.gz", "-t", "effusion", "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    String line = r.out().strip();
    assertEquals(1, line.lines().count(), r.out());
    assertTrue(line.contains("already-at-target") && line.contains("--direction raise"), line);
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(List.of("report.json"), files.map(p -> p.getFileName().toString()).toList(),
          "nothing was shifted, so only the report is written");
    }
    JsonObject report = report(out);
    JsonObject search = report.getAsJsonObject("search");
    assertEquals("already-at-target", search.get("stop_reason").getAsString());
    assertEquals(0.0, search.get("lambda_star").getAsDouble());
    assertEquals(0, search.get("evaluations").getAsInt());
    assertEquals(0, search.get("gradients").getAsInt());
    JsonObject scores = report.getAsJsonObject("scores");
    double scan = scores.get("scan").getAsDouble();
    assertTrue(scan > 0 && scan <= 0.1, "scan score " + scan);
    assertEquals(scan, scores.get("counterfactual").getAsDouble());
    assertTrue(scores.has("reconstruction"));

    // A batch counts such a scan as done (status ok) with its stop reason.
    Path folder = Files.createDirectories(dir.resolve("scans"));
    Files.copy(Path.of("samples/phantom-normal.nii.gz"), folder.resolve("normal.nii.gz"));
    Path batchOut = dir.resolve("batch");
    Run b = run("batch", folder.toString(), "-o", batchOut.toString(), "-t", "effusion");
    assertEquals(0, b.code(), b.err());
    List<String> rows = Files.readAllLines(batchOut.resolve("summary.csv"));
    assertEquals(2, rows.size(), rows.toString());
    List<String> header = List.of(rows.get(0).split(","));
    List<String> row = List.of(rows.get(1).split(",", -1));
    assertEquals("ok", row.get(header.indexOf("status")), rows.toString());
    assertEquals("already-at-target", row.get(header.indexOf("stop_reason")), rows.toString());
  }

  @Test
  void methodSetsThePathAndExplicitOptionsOverrideIt() throws Exception {
    float[] hu = new float[16 * 16 * 6];
    Random random = new Random(5);
    for (int i = 0; i < hu.length; i++) {
      hu[i] = Math.round(-600 + 900 * random.nextFloat());
    }
    Path scan = dir.resolve("scan.nii.gz");
    double[][] ras = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    NiftiWriter.write(scan, new Volume(16, 16, 6, hu, ras),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    String[] base = {"explain", scan.toString(), "-a", Fixtures.model("tiny-ae").toString(), "-m",
        Fixtures.model("tiny-classifier").toString(), "-t", "finding_a", "--frames", "3", "--stop-change", "0.3",
        "--change-budget", "1"};

    Path paper = dir.resolve("paper");
    Run r = run(Stream.concat(Stream.of(base), Stream.of("-o", paper.toString(), "--method", "paper"))
        .toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    JsonObject search = report(paper).getAsJsonObject("search");
    assertEquals("paper", search.get("method").getAsString());
    assertEquals("reconstruction", search.get("composition").getAsString());
    assertEquals("reference", search.get("strategy").getAsString());
    assertEquals(1, search.get("gradients").getAsInt());
    // The reference schedule: λ = 0, -10, -21, -34, …
    var steps = search.getAsJsonArray("steps");
    double[] schedule = {0, -10, -21, -34};
    for (int i = 0; i < Math.min(4, steps.size()); i++) {
      assertEquals(schedule[i], steps.get(i).getAsJsonObject().get("lambda").getAsDouble(), 1e-9);
    }

    Path mixed = dir.resolve("mixed");
    r = run(Stream.concat(Stream.of(base), Stream.of("-o", mixed.toString(), "--method", "paper", "--composition",
        "residual")).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    search = report(mixed).getAsJsonObject("search");
    assertEquals("residual", search.get("composition").getAsString());
    assertEquals("reference", search.get("strategy").getAsString());
    assertEquals("custom", search.get("method").getAsString());

    Path plain = dir.resolve("plain");
    r = run(Stream.concat(Stream.of(base), Stream.of("-o", plain.toString())).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    search = report(plain).getAsJsonObject("search");
    assertEquals("default", search.get("method").getAsString());
    assertEquals("residual", search.get("composition").getAsString());
    assertEquals("adaptive", search.get("strategy").getAsString());
    var legs = search.getAsJsonArray("legs");
    assertEquals(search.get("gradients").getAsInt(), legs.size());
    assertEquals(search.get("stop_reason").getAsString(),
        legs.get(legs.size() - 1).getAsJsonObject().get("stop_reason").getAsString());

    Run unknown = run("explain", scan.toString(), "--method", "magic");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("magic") && unknown.err().contains("paper"), unknown.err());
  }
}
