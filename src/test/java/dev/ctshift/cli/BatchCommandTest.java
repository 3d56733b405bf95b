package dev.ctshift.cli;

import dev.ctshift.testing.Cli;
import dev.ctshift.testing.Cli.Run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctshift batch} end to end with the tiny fixture models: isolation, resuming, kills, shards. */
class BatchCommandTest {
  static final Path DICOM = Path.of("src", "test", "resources", "dicom");
  @TempDir Path dir;

  static Run run(List<String> args) {
    return Cli.run(args.toArray(String[]::new));
  }

  static List<String> batchArgs(Path input, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("batch", input.toString(), "-o", out.toString(),
        "-a", Fixtures.model("tiny-ae").toString(), "-m", Fixtures.model("tiny-classifier").toString(),
        "--frames", "4", "--stop-change", "0.3", "--change-budget", "1"));
    a.addAll(List.of(extra));
    return a;
  }

  /** A small LPS int16 scan, 20x18x6, random HU from {@code seed}. */
  static void writeScan(Path file, int seed) throws Exception {
    double[][] lps = {{-0.8, 0, 0, 10}, {0, -0.8, 0, 20}, {0, 0, 2.5, -30}, {0, 0, 0, 1}};
    float[] hu = new float[20 * 18 * 6];
    Random r = new Random(seed);
    for (int i = 0; i < hu.length; i++) {
      hu[i] = Math.round(-600 + 900 * r.nextFloat());
    }
    Files.createDirectories(file.getParent());
    NiftiWriter.write(file, new Volume(20, 18, 6, hu, lps),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  static JsonObject json(Path p) throws Exception {
    return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
  }

  /** Summary rows by input. */
  static Map<String, JsonObject> rows(Path summaryJson) throws Exception {
    Map<String, JsonObject> rows = new HashMap<>();
    JsonArray scans = json(summaryJson).getAsJsonArray("scans");
    for (var e : scans) {
      JsonObject o = e.getAsJsonObject();
      assertNull(rows.put(o.get("input").getAsString() + "@" + o.get("target").getAsString(), o), "one row each");
    }
    return rows;
  }

  static List<Path> leftovers(Path out) throws Exception {
    try (Stream<Path> walk = Files.walk(out)) {
      return walk.filter(p -> p.getFileName().toString().startsWith(".ctshift-staging")
          || p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  @Test
  void badScansAreRecordedAndTheRestSucceeds() throws Exception {
    Path in = dir.resolve("in");
    writeScan(in.resolve("chest/case01.nii.gz"), 1);
    writeScan(in.resolve("chest/case02.nii.gz"), 2);
    Files.writeString(in.resolve("broken.nii.gz"), "this is not a scan");
    Files.copy(Path.of("src/test/resources/nifti/int8_4d.nii.gz"), in.resolve("fourd.nii.gz"));
    copyTree(DICOM.resolve("implicit"), in.resolve("dicom/ct"));
    copyTree(DICOM.resolve("no-ct"), in.resolve("dicom/mr"));
    Files.writeString(in.resolve("notes.txt"), "not a scan");
    Path out = dir.resolve("out");

    Run r = run(batchArgs(in, out));
    assertEquals(5, r.code(), r.err());
    assertTrue(r.out().contains("6 scans: 3 ok, 3 failed"), r.out());
    assertTrue(r.err().contains("notes.txt"), "the ignored file is mentioned: " + r.err());
    Map<String, JsonObject> rows = rows(out.resolve("summary.json"));
    assertEquals(6, rows.size(), rows.keySet().toString());
    assertTrue(rows.get("broken.nii.gz@finding_a").get("error").getAsString().contains("neither NIfTI nor DICOM"));
    assertTrue(rows.get("fourd.nii.gz@finding_a").get("error").getAsString().contains("4D"));
    assertTrue(rows.get("dicom/mr@finding_a").get("error").getAsString().contains("not CT"));
    for (String failed : List.of("broken.nii.gz", "fourd.nii.gz", "dicom/mr")) {
      JsonObject row = rows.get(failed + "@finding_a");
      assertEquals("failed", row.get("status").getAsString());
      assertFalse(Files.exists(out.resolve(row.get("output").getAsString())), "no partial output for " + failed);
    }
    for (String ok : List.of("chest/case01.nii.gz", "chest/case02.nii.gz", "dicom/ct")) {
      JsonObject row = rows.get(ok + "@finding_a");
      assertEquals("ok", row.get("status").getAsString(), row.toString());
      Path folder = out.resolve(row.get("output").getAsString());
      JsonObject report = json(folder.resolve("report.json"));
      assertEquals(report.getAsJsonObject("scores").get("scan").getAsDouble(), row.get("score_before").getAsDouble());
      assertEquals(report.getAsJsonObject("scores").get("counterfactual").getAsDouble(),
          row.get("score_after").getAsDouble());
      assertEquals(report.getAsJsonObject("search").get("evaluations").getAsInt(), row.get("evaluations").getAsInt());
      assertTrue(row.get("score_after").getAsDouble() < row.get("score_before").getAsDouble(), row.toString());
      assertTrue(row.get("seconds").getAsDouble() > 0 && row.get("peak_rss_mib").getAsDouble() > 0);
      assertEquals(0L, json(folder.resolve("batch.json")).get("seed").getAsLong());
    }
    assertTrue(Files.isDirectory(out.resolve(rows.get("dicom/ct@finding_a").get("output").getAsString())
        .resolve("dicom")), "DICOM input gets a derived series");
    List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
    assertEquals(7, csv.size());
    assertTrue(csv.get(0).startsWith("input,series_uid,output,status,target,score_before,score_after,lambda_star"));

    // The batch writes exactly what explain writes for the same scan and options.
    Path single = dir.resolve("single");
    Run e = run(List.of("explain", in.resolve("chest/case01.nii.gz").toString(), "-o", single.toString(),
        "-a", Fixtures.model("tiny-ae").toString(), "-m", Fixtures.model("tiny-classifier").toString(),
        "--frames", "4", "--stop-change", "0.3", "--change-budget", "1"));
    assertEquals(0, e.code(), e.err());
    Path batchCase = out.resolve(rows.get("chest/case01.nii.gz@finding_a").get("output").getAsString());
    assertArrayEquals(NiftiReader.readVolume(single.resolve("counterfactual.nii.gz")).data(),
        NiftiReader.readVolume(batchCase.resolve("counterfactual.nii.gz")).data());

    // Rerun: finished scans are skipped and untouched, failed ones retried; failures allowed.
    FileTime before = Files.getLastModifiedTime(batchCase.resolve("report.json"));
    Run again = run(batchArgs(in, out, "--allow-failures"));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("0 ok, 3 failed, 3 skipped-done"), again.out());
    assertTrue(again.err().contains("resuming: 3 of 6 scans done before (skipped), 3 unfinished or failed before"),
        again.err());
    assertEquals(before, Files.getLastModifiedTime(batchCase.resolve("report.json")));
    Map<String, JsonObject> rerun = rows(out.resolve("summary.json"));
    assertEquals(6, rerun.size());
    assertEquals(rows.get("dicom/ct@finding_a").get("score_after"), rerun.get("dicom/ct@finding_a").get("score_after"),
        "rows of finished scans are rebuilt from their files");
    assertEquals("skipped-done", rerun.get("dicom/ct@finding_a").get("status").getAsString());
    assertTrue(leftovers(out).isEmpty(), leftovers(out).toString());
  }

  @Test
  void manifestRowsChooseTargetsAndUnknownTargetsFailAlone() throws Exception {
    writeScan(dir.resolve("data/a.nii.gz"), 3);
    Path manifest = dir.resolve("data/cases.csv");
    Files.writeString(manifest, "path,target\na.nii.gz,finding_b\na.nii.gz,\na.nii.gz,effusion\nmissing.nii.gz,\n");
    Path out = dir.resolve("mout");
    Run r = run(batchArgs(manifest, out));
    assertEquals(5, r.code(), r.err());
    Map<String, JsonObject> rows = rows(out.resolve("summary.json"));
    assertEquals("ok", rows.get("a.nii.gz@finding_b").get("status").getAsString());
    assertEquals("ok", rows.get("a.nii.gz@finding_a").get("status").getAsString(), "the model's default target");
    JsonObject unknown = rows.get("a.nii.gz@effusion");
    assertEquals("failed", unknown.get("status").getAsString());
    assertTrue(unknown.get("error").getAsString().contains("finding_a"), unknown.toString());
    assertTrue(rows.get("missing.nii.gz@finding_a").get("error").getAsString().contains("no such file"));
    assertEquals("finding_b", json(out.resolve(rows.get("a.nii.gz@finding_b").get("output").getAsString())
        .resolve("report.json")).getAsJsonObject("target").get("name").getAsString());
  }

  @Test
  void usageErrors() throws Exception {
    Files.createDirectories(dir.resolve("in"));
    assertEquals(2, run(List.of("batch", dir.resolve("in").toString())).code(), "--out is required");
    Run shard = run(batchArgs(dir.resolve("in"), dir.resolve("o"), "--shard", "0/2"));
    assertEquals(2, shard.code());
    assertTrue(shard.err().contains("1 <= I <= N"), shard.err());
    Run inside = run(batchArgs(dir.resolve("in"), dir.resolve("in/out")));
    assertEquals(2, inside.code());
    assertTrue(inside.err().contains("inside the input folder"), inside.err());
    assertEquals(3, run(batchArgs(dir.resolve("nowhere"), dir.resolve("o"))).code());
  }

  @Test
  void aKilledRunResumesWithoutCleanUp() throws Exception {
    Path in = dir.resolve("kin");
    int n = 8;
    for (int i = 0; i < n; i++) {
      writeScan(in.resolve("case" + i + ".nii.gz"), 10 + i);
    }
    Path out = dir.resolve("kout");
    Path summary = out.resolve("summary.json");
    Set<String> doneBefore = killAfterFirstScan(batchArgs(in, out), out, dir.resolve("child.log"), 90);
    assertTrue(doneBefore.size() >= 1 && doneBefore.size() < n, "killed in the middle: " + doneBefore);

    Run r = run(batchArgs(in, out));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(n + " scans: " + (n - doneBefore.size()) + " ok, 0 failed, " + doneBefore.size()
        + " skipped-done"), r.out());
    assertTrue(r.err().contains("resuming: " + doneBefore.size() + " of " + n), r.err());
    JsonArray rows = json(summary).getAsJsonArray("scans");
    assertEquals(n, rows.size());
    Set<String> names = new HashSet<>();
    for (var e : rows) {
      JsonObject row = e.getAsJsonObject();
      String name = Path.of(row.get("output").getAsString()).getFileName().toString();
      assertTrue(names.add(name), "one row per scan");
      assertEquals(doneBefore.contains(name) ? "skipped-done" : "ok", row.get("status").getAsString(), name);
      Path folder = out.resolve(row.get("output").getAsString());
      assertTrue(Files.exists(folder.resolve("report.json")) && Files.exists(folder.resolve("batch.json")), name);
    }
    try (Stream<Path> folders = Files.list(out.resolve("scans"))) {
      assertEquals(n, folders.count(), "exactly one output folder per scan");
    }
    assertTrue(leftovers(out).isEmpty(), "no staging folders or temporary files: " + leftovers(out));
  }

  @Test
  void shardsCoverEveryScanOnceAndMergeIntoOneSummary() throws Exception {
    Path in = dir.resolve("sin");
    int n = 5;
    for (int i = 0; i < n; i++) {
      // Named so that every shard gets work (case0..4 fall in shards 2, 1, 1, 3, 3).
      writeScan(in.resolve("case" + i + ".nii.gz"), 20 + i);
    }
    Path out = dir.resolve("sout");
    int total = 0;
    for (int i = 1; i <= 3; i++) {
      Run r = run(batchArgs(in, out, "--shard", i + "/3", "--seed", "7"));
      assertEquals(0, r.code(), r.err());
      JsonObject s = json(out.resolve("summary-shard-" + i + "-of-3.json"));
      assertEquals(7, s.get("seed").getAsLong());
      assertTrue(s.getAsJsonArray("scans").size() > 0, "shard " + i + " has scans");
      total += s.getAsJsonArray("scans").size();
      assertTrue(Files.exists(out.resolve("summary-shard-" + i + "-of-3.csv")));
    }
    assertEquals(n, total);

    Run merged = run(List.of("batch", "merge", out.toString()));
    assertEquals(0, merged.code(), merged.err());
    Map<String, JsonObject> rows = rows(out.resolve("summary.json"));
    assertEquals(n, rows.size());
    for (JsonObject row : rows.values()) {
      assertEquals("ok", row.get("status").getAsString());
      assertTrue(Files.exists(out.resolve(row.get("output").getAsString()).resolve("report.json")), row.toString());
    }

    // Two shards only, in another folder: the third is reported missing.
    Path partial = dir.resolve("partial");
    Files.createDirectories(partial);
    for (int i = 1; i <= 2; i++) {
      Files.copy(out.resolve("summary-shard-" + i + "-of-3.json"), partial.resolve("summary-shard-" + i + "-of-3.json"));
    }
    Run missing = run(List.of("batch", "merge", partial.toString()));
    assertEquals(1, missing.code(), missing.out());
    assertTrue(missing.err().contains("missing shard summaries: 3"), missing.err());
    // A shard summary listed twice: its scans are reported as duplicates.
    Run dup = run(List.of("batch", "merge", out.toString(), partial.toString(), "-o", dir.resolve("m2").toString()));
    assertEquals(1, dup.code());
    assertTrue(dup.err().contains("more than one shard summary"), dup.err());
  }

  /**
   * Runs {@code ctshift batchArgs} in a child JVM, kills it with SIGKILL as soon as its summary records
   * a finished scan, and returns the names of the scan folders that were done by then.
   */
  static Set<String> killAfterFirstScan(List<String> batchArgs, Path out, Path log, int timeoutSeconds)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Doffline=true", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    cmd.addAll(batchArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("ONEDNN_MAX_CPU_ISA", "SSE41");
    Process child = pb.start();
    Path summary = out.resolve("summary.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    boolean oneDone = false;
    while (!oneDone && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      oneDone = Files.exists(summary) && Files.readString(summary).contains("\"status\": \"ok\"");
    }
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(oneDone, "the child finished a scan before the kill: " + Files.readString(log));
    Set<String> doneBefore = new HashSet<>();
    try (Stream<Path> folders = Files.list(out.resolve("scans"))) {
      folders.filter(f -> Files.exists(f.resolve("batch.json"))).forEach(f -> doneBefore.add(f.getFileName().toString()));
    }
    return doneBefore;
  }
}
