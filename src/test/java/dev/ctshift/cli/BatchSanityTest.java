package dev.ctshift.cli;

import static dev.ctshift.cli.InputSanityCommandTest.strictJson;
import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.io.sanity.Inputs;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue-22 probes through {@code ctshift batch}: refused scans and scans whose model score is NaN are
 * failed rows with their reason, never ok, and the summaries stay valid JSON.
 */
class BatchSanityTest {
  @TempDir static Path dir;
  static Path in;

  @BeforeAll
  static void writeScans() throws Exception {
    Volume phantom = Inputs.phantom();
    in = Files.createDirectories(dir.resolve("in"));
    NiftiWriter.write(in.resolve("good.nii.gz"), phantom, NiftiWriter.Options.defaults()
        .withDatatype(NiftiDatatype.INT16));
    NiftiWriter.write(in.resolve("nan.nii.gz"), Inputs.spoilt(phantom, 1000, Float.NaN),
        NiftiWriter.Options.defaults());
    NiftiWriter.write(in.resolve("uint8.nii.gz"), Inputs.windowedUint8(phantom, -1000, 1000),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.UINT8));
  }

  static Run batch(Path input, Path out, Path model, String... extra) {
    String[] base = {"batch", input.toString(), "-o", out.toString(), "-a", Fixtures.model("tiny-ae").toString(),
        "-m", model.toString(), "--frames", "3", "--max-evaluations", "4"};
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return run(all);
  }

  /** Rows of a summary.json, parsed strictly, by input. */
  static Map<String, JsonObject> rows(Path out) throws Exception {
    Map<String, JsonObject> rows = new HashMap<>();
    for (JsonElement e : strictJson(Files.readString(out.resolve("summary.json"))).getAsJsonObject()
        .getAsJsonArray("scans")) {
      rows.put(e.getAsJsonObject().get("input").getAsString(), e.getAsJsonObject());
    }
    return rows;
  }

  @Test
  void refusedScansAreFailedRowsWithTheirReason() throws Exception {
    Path out = dir.resolve("out");
    Run r = batch(in, out, Fixtures.model("tiny-classifier"));
    assertEquals(Main.EXIT_SCANS_FAILED, r.code(), r.err());
    Map<String, JsonObject> rows = rows(out);
    assertEquals("ok", rows.get("good.nii.gz").get("status").getAsString(), rows.toString());
    JsonObject nan = rows.get("nan.nii.gz");
    assertEquals("failed", nan.get("status").getAsString());
    assertTrue(nan.get("error").getAsString().contains("nan.nii.gz: 1000 of"), nan.toString());
    JsonObject u8 = rows.get("uint8.nii.gz");
    assertEquals("failed", u8.get("status").getAsString());
    assertTrue(u8.get("error").getAsString().contains("does not look like CT in Hounsfield units"), u8.toString());
    assertTrue(r.out().contains("1 ok, 2 failed"), r.out());

    Path assumed = dir.resolve("assumed");
    r = batch(in, assumed, Fixtures.model("tiny-classifier"), "--assume-hu");
    rows = rows(assumed);
    assertEquals("ok", rows.get("uint8.nii.gz").get("status").getAsString(), rows.toString());
    assertEquals("failed", rows.get("nan.nii.gz").get("status").getAsString(), "--assume-hu keeps NaN out");
  }

  @Test
  void aNaNScoreIsAFailedScanAndTheSummaryStaysValidJson() throws Exception {
    Path out = dir.resolve("nan-model");
    Path only = Files.createDirectories(dir.resolve("only-good"));
    Files.copy(in.resolve("good.nii.gz"), only.resolve("good.nii.gz"));
    Run r = batch(only, out, Fixtures.MODELS.resolve("bad/nan-classifier"));
    assertEquals(Main.EXIT_SCANS_FAILED, r.code(), r.err());
    JsonObject row = rows(out).get("good.nii.gz");
    assertEquals("failed", row.get("status").getAsString(), row.toString());
    assertTrue(row.get("error").getAsString().contains("not a finite number"), row.toString());
  }

  @Test
  void anEmptyManifestOrAnUnwritableOutIsAUsageError() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.csv"));
    Run r = batch(empty, dir.resolve("empty-out"), Fixtures.model("tiny-classifier"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("lists no scans (it is empty)"), r.err());
    r = batch(in, Path.of("/dev/null"), Fixtures.model("tiny-classifier"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("exists and is not a folder"), r.err());
  }
}
