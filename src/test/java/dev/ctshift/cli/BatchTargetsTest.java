package dev.ctshift.cli;

import static dev.ctshift.cli.BatchCommandTest.json;
import static dev.ctshift.cli.BatchCommandTest.leftovers;
import static dev.ctshift.cli.BatchCommandTest.writeScan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.testing.Cli;
import dev.ctshift.testing.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctshift batch} with several targets per scan: one row per scan and target, resuming, shards. */
class BatchTargetsTest {
  /** Fewer evaluations than the other batch tests: the engine is not under test here. */
  static final String[] FAST = {"--max-evaluations", "4"};
  @TempDir Path dir;

  static Run run(List<String> args) {
    return Cli.run(args.toArray(String[]::new));
  }

  /** Rows by input@target. */
  static Map<String, JsonObject> rows(Path summaryJson) throws Exception {
    Map<String, JsonObject> rows = new HashMap<>();
    for (var e : json(summaryJson).getAsJsonArray("scans")) {
      JsonObject o = e.getAsJsonObject();
      String target = o.get("target").isJsonNull() ? "-" : o.get("target").getAsString();
      assertEquals(null, rows.put(o.get("input").getAsString() + "@" + target, o), "one row per scan and target");
    }
    return rows;
  }

  @Test
  void aManifestWithTwoTargetsPerScanResumesAfterAKill() throws Exception {
    int n = 4;
    StringBuilder manifest = new StringBuilder("path,target\n");
    for (int i = 0; i < n; i++) {
      writeScan(dir.resolve("data/case" + i + ".nii.gz"), 40 + i);
      manifest.append("case").append(i).append(".nii.gz,finding_a;finding_b\n");
    }
    Path csv = dir.resolve("data/cases.csv");
    Files.writeString(csv, manifest);
    Path out = dir.resolve("out");
    Path summary = out.resolve("summary.json");
    Set<String> doneBefore = BatchCommandTest.killAfterFirstScan(BatchCommandTest.batchArgs(csv, out, FAST), out,
        dir.resolve("child.log"), 120);
    assertTrue(doneBefore.size() >= 1 && doneBefore.size() < n, "killed in the middle: " + doneBefore);

    Run r = run(BatchCommandTest.batchArgs(csv, out, FAST));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(n + " scans: " + (n - doneBefore.size()) + " ok, 0 failed, " + doneBefore.size()
        + " skipped-done"), r.out());
    Map<String, JsonObject> rows = rows(summary);
    assertEquals(2 * n, rows.size(), "a row per scan and target");
    String index = Files.readString(out.resolve("index.html"));
    for (int i = 0; i < n; i++) {
      for (String target : List.of("finding_a", "finding_b")) {
        JsonObject row = rows.get("case" + i + ".nii.gz@" + target);
        Path folder = out.resolve(row.get("output").getAsString());
        String name = folder.getFileName().toString();
        assertEquals(doneBefore.contains(name) ? "skipped-done" : "ok", row.get("status").getAsString(), name);
        JsonObject report = json(folder.resolve(target).resolve("report.json"));
        assertEquals(report.getAsJsonObject("scores").get("counterfactual").getAsDouble(),
            row.get("score_after").getAsDouble(), 1e-9, name + " " + target);
        assertTrue(Files.exists(folder.resolve("summary.json")) && Files.exists(folder.resolve("batch.json")));
        String link = row.get("output").getAsString() + "/" + target + "/report.html";
        assertTrue(Files.exists(out.resolve(link)) && index.contains("\"" + link + "\""),
            "index.html links the target's own page " + link);
      }
    }
    try (Stream<Path> folders = Files.list(out.resolve("scans"))) {
      assertEquals(n, folders.count(), "one output folder per scan");
    }
    assertTrue(leftovers(out).isEmpty(), "no staging folders or temporary files: " + leftovers(out));
  }

  @Test
  void cliTargetsApplyToScansWithoutOneAndShardsMergeRowsPerTarget() throws Exception {
    int n = 3;
    for (int i = 0; i < n; i++) {
      writeScan(dir.resolve("in/case" + i + ".nii.gz"), 60 + i);
    }
    // JSONL: one scan names its targets as an array, the others take the command line's.
    Files.writeString(dir.resolve("in/list.jsonl"), "{\"path\": \"case0.nii.gz\", \"target\": [\"finding_b\"]}\n"
        + "{\"path\": \"case1.nii.gz\"}\n{\"path\": \"case2.nii.gz\"}\n");
    Path out = dir.resolve("sout");
    int total = 0;
    for (int i = 1; i <= 2; i++) {
      Run r = run(BatchCommandTest.batchArgs(dir.resolve("in/list.jsonl"), out, "--targets", "all", "--shard",
          i + "/2", "--max-evaluations", "4"));
      assertEquals(0, r.code(), r.err());
      total += json(out.resolve("summary-shard-" + i + "-of-2.json")).getAsJsonArray("scans").size();
    }
    assertEquals(1 + 2 * 2, total, "case0: its one target; the others: both outputs");
    Run merged = run(List.of("batch", "merge", out.toString()));
    assertEquals(0, merged.code(), merged.err());
    Map<String, JsonObject> rows = rows(out.resolve("summary.json"));
    assertEquals(Set.of("case0.nii.gz@finding_b", "case1.nii.gz@finding_a", "case1.nii.gz@finding_b",
        "case2.nii.gz@finding_a", "case2.nii.gz@finding_b"), rows.keySet());
    // The same counterfactual as a single-target batch of that scan.
    Path single = dir.resolve("single");
    Files.writeString(dir.resolve("in/one.csv"), "path,target\ncase1.nii.gz,finding_b\n");
    assertEquals(0, run(BatchCommandTest.batchArgs(dir.resolve("in/one.csv"), single, FAST)).code());
    JsonArray scans = json(single.resolve("summary.json")).getAsJsonArray("scans");
    Path alone = single.resolve(scans.get(0).getAsJsonObject().get("output").getAsString());
    Path together = out.resolve(rows.get("case1.nii.gz@finding_b").get("output").getAsString()).resolve("finding_b");
    assertArrayEquals(NiftiReader.readVolume(alone.resolve("counterfactual.nii.gz")).data(),
        NiftiReader.readVolume(together.resolve("counterfactual.nii.gz")).data());
  }
}
