package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.phantom.EffusionSide;
import dev.ctshift.phantom.Findings;
import dev.ctshift.phantom.Phantom;
import dev.ctshift.phantom.PhantomConfig;
import dev.ctshift.phantom.PhantomGenerator;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctshift evaluate} end to end on tiny cohorts written by the test. */
import dev.ctshift.testing.Cli.Run;

class EvaluateCommandTest {
  static final double[][] RAS_1MM = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
  static final List<String> METHODS = List.of("residual/adaptive", "residual/reference", "reconstruction/adaptive",
      "reconstruction/reference", "saliency");

  @TempDir static Path dir;
  static Path boxCohort;
  static Path phantomCohort;
  static Map<String, Phantom> phantoms = new LinkedHashMap<>();

  static boolean inBox(int i, int j, int k) {
    return k >= 2 && k <= 3 && j >= 5 && j <= 8 && i >= 6 && i <= 9;
  }

  /**
   * Two scans on the models' own grid (16x16x6, RAS, 1 mm): "box_pos" is 0 HU with the box-classifier's
   * box at 200 HU and labelled 2; "box_neg" is -600 HU everywhere with no label 2.
   */
  @BeforeAll
  static void writeCohorts() throws Exception {
    boxCohort = Files.createDirectories(dir.resolve("box"));
    float[] pos = new float[16 * 16 * 6];
    float[] labels = new float[pos.length];
    for (int k = 0; k < 6; k++) {
      for (int j = 0; j < 16; j++) {
        for (int i = 0; i < 16; i++) {
          int v = i + 16 * (j + 16 * k);
          pos[v] = inBox(i, j, k) ? 200 : 0;
          labels[v] = inBox(i, j, k) ? 2 : 1;
        }
      }
    }
    float[] neg = new float[pos.length];
    Arrays.fill(neg, -600);
    write(boxCohort, "box_pos", new Volume(16, 16, 6, pos, RAS_1MM), new Volume(16, 16, 6, labels, RAS_1MM));
    write(boxCohort, "box_neg", new Volume(16, 16, 6, neg, RAS_1MM), new Volume(16, 16, 6, new float[pos.length],
        RAS_1MM));

    // Three phantoms of 32x32x6 (10 mm pixels, 5 mm slices; cropped to the models' 16x16), two with effusion.
    phantomCohort = Files.createDirectories(dir.resolve("phantoms"));
    PhantomGenerator g = new PhantomGenerator(PhantomConfig.builder().grid(32, 6, 10, 5).imageQuality(5, 0)
        .rates(0, 0, 0).nodules(1, 4, 18).build());
    phantoms.put("p_a", g.generate("p_a", 11, new Findings(EffusionSide.BOTH, 0.35, 1.0, List.of())));
    phantoms.put("p_b", g.generate("p_b", 12, new Findings(EffusionSide.NONE, 0, 1.0, List.of())));
    phantoms.put("p_c", g.generate("p_c", 13, new Findings(EffusionSide.RIGHT, 0.4, 1.0, List.of())));
    for (Map.Entry<String, Phantom> e : phantoms.entrySet()) {
      write(phantomCohort, e.getKey(), e.getValue().ct(), e.getValue().labels());
    }
  }

  static void write(Path cohort, String id, Volume ct, Volume labels) throws Exception {
    NiftiWriter.write(cohort.resolve(id + ".nii.gz"), ct, NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    NiftiWriter.write(cohort.resolve(id + "_labels.nii.gz"), labels,
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.UINT8));
  }

  /** A CSV without quoted cells as rows of header → cell. */
  static List<Map<String, String>> csv(Path file) throws Exception {
    List<String> lines = Files.readAllLines(file);
    String[] header = lines.get(0).split(",", -1);
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      assertEquals(header.length, cells.length, line);
      Map<String, String> row = new LinkedHashMap<>();
      for (int c = 0; c < header.length; c++) {
        row.put(header[c], cells[c]);
      }
      rows.add(row);
    }
    return rows;
  }

  static double num(Map<String, String> row, String key) {
    String s = row.get(key);
    assertTrue(s != null, "no column " + key);
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }

  static String[] args(Path cohort, Path out, String... extra) {
    String[] base = {"evaluate", cohort.toString(), "--out", out.toString()};
    return Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
  }

  @Test
  void scansThatAreNotCtInHuAreRefusedBeforeAnyModelRuns() {
    Path out = dir.resolve("refused-out");
    Run r = run(args(boxCohort, out, "-a", Fixtures.model("identity-ae").toString(),
        "-m", Fixtures.model("box-classifier").toString(), "--mask-label", "2"));
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains(boxCohort.resolve("box_neg.nii.gz") + ": every voxel is -600 (a constant volume)"),
        r.err());
    assertFalse(Files.exists(out.resolve("summary.md")), "no summary");
  }

  @Test
  void theBoxModelsCounterfactualLiesEntirelyInsideTheBox() throws Exception {
    Path out = dir.resolve("box-out");
    Run r = run(args(boxCohort, out, "-a", Fixtures.model("identity-ae").toString(),
        "-m", Fixtures.model("box-classifier").toString(), "-t", "box", "--mask-label", "2", "--dilate-mm", "1",
        "--frames", "4", "--stop-at", "0.2", "--assume-hu")); // the box cohort is synthetic, not HU
    assertEquals(0, r.code(), r.err());
    List<Map<String, String>> rows = csv(out.resolve("per_scan.csv"));
    assertEquals(2 * METHODS.size(), rows.size());
    double scanScore = 1 / (1 + Math.exp(-(8 * 0.6 - 2))); // box at 200 HU = 0.6 in [0, 1]
    for (Map<String, String> row : rows) {
      String method = row.get("method");
      boolean saliency = method.equals("saliency");
      assertEquals(0.0, num(row, "reconstruction_gap"), 1e-6, "the identity AE reconstructs exactly");
      if (row.get("id").equals("box_neg")) {
        assertEquals(0, num(row, "mask_voxels"));
        assertTrue(Double.isNaN(num(row, "crossed")), "the model already calls it negative: validity n/a");
        assertTrue(Double.isNaN(num(row, "map_iou")) && Double.isNaN(num(row, "map_share_inside")));
        continue;
      }
      assertEquals(32, num(row, "mask_voxels"));
      // A 2x4x4 box grown by 1 mm on a 1 mm grid gains its 6 faces: 2*16 + 2*8 + 2*8 voxels.
      assertEquals(32 + 64, num(row, "dilated_voxels"));
      assertEquals(scanScore, num(row, "scan_score"), 1e-5, method);
      assertEquals(1.0, num(row, "map_share_inside"), 1e-6, method);
      assertEquals(1.0, num(row, "map_iou"), 0, method + ": the top 32 voxels are the box");
      if (saliency) {
        assertEquals(0, num(row, "evaluations"));
        continue;
      }
      double cf = num(row, "counterfactual_score");
      assertTrue(cf < scanScore, method + " lowers the score: " + cf);
      assertEquals(1.0, num(row, "change_share_inside"), 1e-6, method);
      assertEquals(0.0, num(row, "mean_abs_dhu_outside"), 1e-3, method);
      // The box mean follows from the counterfactual's score (logit = 8 mean - 2); the change is spread
      // over the 32 box voxels, the mean over the 96 of the dilated mask.
      double boxMean = (Math.log(cf / (1 - cf)) + 2) / 8;
      assertEquals(32.0 / 96 * (0.6 - boxMean) * 2000, num(row, "mean_abs_dhu_inside"), 0.05, method);
      assertEquals(cf <= 0.5 ? 1 : 0, num(row, "crossed"), method);
      assertTrue(num(row, "evaluations") >= num(row, "search_evaluations"), method);
      if (method.endsWith("adaptive")) {
        assertEquals("reached-target", row.get("stop_reason"), method);
        assertEquals(0.2, cf, 0.05, method + " stops near the requested score");
        assertEquals(1, num(row, "crossed"), method + " crosses 0.5 on its way to 0.2");
      }
    }
    List<Map<String, String>> summary = csv(out.resolve("summary.csv"));
    assertEquals(METHODS, summary.stream().map(s -> s.get("method")).toList());
    for (Map<String, String> s : summary) {
      assertEquals(2, num(s, "scans"));
      assertEquals(1, num(s, "positives"));
      assertEquals(1.0, num(s, "map_iou"), 0);
    }
    String md = Files.readString(out.resolve("summary.md"));
    assertTrue(md.contains("| residual/adaptive | 2 (1) | 100 (n=1) | 100 | 1.000 | 1.000 | 1.000 |"), md);
    assertTrue(r.out().contains(md), "the table is printed:\n" + r.out());
    assertTrue(r.err().contains("[1/2] box_neg") && r.err().contains("[2/2] box_pos"), r.err());
  }

  @Test
  void phantomCohortRowsAndSummaryAreConsistent() throws Exception {
    Path out = dir.resolve("phantom-out");
    Run r = run(args(phantomCohort, out, "-a", Fixtures.model("tiny-ae").toString(),
        "-m", Fixtures.model("tiny-classifier").toString(), "-t", "finding_a", "--mask-label", "2",
        "--frames", "3", "--threshold", "0.3", "--change-budget", "0.02"));
    assertEquals(0, r.code(), r.err());
    List<Map<String, String>> rows = csv(out.resolve("per_scan.csv"));
    assertEquals(List.of("p_a", "p_b", "p_c"), rows.stream().map(m -> m.get("id")).distinct().toList());
    for (String id : phantoms.keySet()) {
      List<Map<String, String>> mine = rows.stream().filter(m -> m.get("id").equals(id)).toList();
      assertEquals(METHODS, mine.stream().map(m -> m.get("method")).toList());
      Volume labels = phantoms.get(id).labels();
      boolean[] mask = new boolean[labels.voxelCount()];
      for (int v = 0; v < mask.length; v++) {
        mask[v] = labels.data()[v] == Phantom.EFFUSION;
      }
      int maskVoxels = count(mask);
      assertEquals(!id.equals("p_b"), maskVoxels > 0, "precondition: effusion voxels of " + id);
      int dilated = count(bruteForceDilation(labels, mask, 6));
      for (Map<String, String> row : mine) {
        assertEquals(maskVoxels, num(row, "mask_voxels"), id);
        assertEquals(dilated, num(row, "dilated_voxels"), id);
        assertEquals(num(mine.get(0), "scan_score"), num(row, "scan_score"), 0, "one scan score per scan");
        assertEquals(num(row, "scan_score") - num(row, "reconstruction_score"), num(row, "reconstruction_gap"), 2e-6);
        boolean saliency = row.get("method").equals("saliency");
        for (String share : List.of("change_share_inside", "map_share_inside", "map_iou")) {
          double v = num(row, share);
          if (maskVoxels == 0 || saliency && share.equals("change_share_inside")) {
            assertTrue(Double.isNaN(v), "undefined: " + share + " " + v + " " + row);
          } else {
            assertTrue(v >= 0 && v <= 1, share + " in [0, 1] for a non-empty mask: " + v + " " + row);
          }
        }
        if (!saliency) {
          double crossed = num(row, "crossed");
          if (num(row, "scan_score") > 0.3) {
            assertEquals(num(row, "counterfactual_score") <= 0.3 ? 1 : 0, crossed, row.toString());
          } else {
            assertTrue(Double.isNaN(crossed), row.toString());
          }
          assertTrue(num(row, "evaluations") >= num(row, "search_evaluations"));
          // Every method here changes the scan (its score moves), and the mask covers only part of it.
          assertTrue(Math.abs(num(row, "counterfactual_score") - num(row, "scan_score")) > 1e-4, row.toString());
          double outside = num(row, "mean_abs_dhu_outside");
          assertTrue(Double.isFinite(outside) && outside > 0, "change outside the mask: " + outside + " " + row);
        }
      }
    }
    // Every summary figure is the mean of its per-scan column (positives only for localisation and
    // proximity), recomputed here.
    List<Map<String, String>> summary = csv(out.resolve("summary.csv"));
    assertEquals(METHODS, summary.stream().map(s -> s.get("method")).toList());
    for (Map<String, String> s : summary) {
      List<Map<String, String>> all = rows.stream().filter(m -> m.get("method").equals(s.get("method"))).toList();
      List<Map<String, String>> positive = all.stream().filter(m -> num(m, "mask_voxels") > 0).toList();
      assertEquals(3, num(s, "scans"));
      assertEquals(2, num(s, "positives"));
      assertClose(100 * mean(all, "crossed"), num(s, "validity_percent"), s + " validity");
      assertEquals(all.stream().filter(m -> !Double.isNaN(num(m, "crossed"))).count(), num(s, "validity_applicable"));
      for (String c : List.of("change_share_inside", "map_share_inside", "map_iou", "mean_abs_dhu_inside",
          "mean_abs_dhu_outside")) {
        assertClose(mean(positive, c), num(s, c), s.get("method") + " " + c);
      }
      for (String c : List.of("reconstruction_gap", "evaluations", "search_evaluations", "seconds")) {
        assertClose(mean(all, c), num(s, c), s.get("method") + " " + c);
      }
    }
    String md = Files.readString(out.resolve("summary.md"));
    for (String m : METHODS) {
      assertTrue(md.contains("| " + m + " | 3 (2) |"), md);
    }
  }

  @Test
  void onlyPositiveAndLimitChooseTheScans() throws Exception {
    Path out = dir.resolve("limited");
    Run r = run(args(phantomCohort, out, "-a", Fixtures.model("tiny-ae").toString(),
        "-m", Fixtures.model("tiny-classifier").toString(), "--mask-label", "2", "--only-positive", "--limit", "2",
        "--modes", "residual", "--searches", "adaptive", "--baseline", "none", "--frames", "2"));
    assertEquals(0, r.code(), r.err());
    List<Map<String, String>> rows = csv(out.resolve("per_scan.csv"));
    assertEquals(List.of("p_a", "p_c"), rows.stream().map(m -> m.get("id")).toList(), "p_b has no effusion");
    assertTrue(rows.stream().allMatch(m -> m.get("method").equals("residual/adaptive")));
    assertTrue(r.err().contains("p_b: no voxel of label 2, skipped"), r.err());
  }

  @Test
  void badCohortsFailWithAMessageNamingTheFolder() throws Exception {
    String[] models = {"-a", Fixtures.model("tiny-ae").toString(), "-m", Fixtures.model("tiny-classifier").toString(),
        "--mask-label", "2", "--assume-hu"};
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("notes.txt"), "not a scan");
    Run r = run(args(empty, dir.resolve("o1"), models));
    assertEquals(3, r.code());
    assertTrue(r.err().contains(empty + ": no scans found"), r.err());

    Path unlabelled = Files.createDirectories(dir.resolve("unlabelled"));
    Files.copy(boxCohort.resolve("box_pos.nii.gz"), unlabelled.resolve("a.nii.gz"));
    Files.copy(boxCohort.resolve("box_pos_labels.nii.gz"), unlabelled.resolve("b_labels.nii.gz"));
    r = run(args(unlabelled, dir.resolve("o2"), models));
    assertEquals(3, r.code());
    assertTrue(r.err().contains(unlabelled + ": 1 scan(s) without a label map") && r.err().contains("a.nii.gz"), r.err());

    Path shifted = Files.createDirectories(dir.resolve("shifted"));
    Files.copy(boxCohort.resolve("box_pos.nii.gz"), shifted.resolve("s.nii.gz"));
    double[][] moved = {{1, 0, 0, 5}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    NiftiWriter.write(shifted.resolve("s_labels.nii.gz"), Volume.zeros(16, 16, 6, moved),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.UINT8));
    r = run(args(shifted, dir.resolve("o3"), models));
    assertEquals(3, r.code());
    assertTrue(r.err().contains(shifted.resolve("s_labels.nii.gz") + ": the label map"), r.err());
    assertFalse(Files.exists(dir.resolve("o3").resolve("summary.md")), "no partial summary");

    Path o4 = dir.resolve("o4");
    r = run(args(boxCohort, o4, "-a", Fixtures.model("tiny-ae").toString(), "-m",
        Fixtures.model("tiny-classifier").toString(), "--mask-label", "4", "--only-positive", "--assume-hu"));
    assertEquals(1, r.code());
    assertTrue(r.err().contains(boxCohort + ": no scan to evaluate"), r.err());
    assertFalse(Files.exists(o4.resolve("summary.md")), "no partial summary");

    assertEquals(2, run(args(boxCohort, dir.resolve("o5"), "-a", "x", "-m", "y")).code(), "--mask-label is required");
    assertEquals(2, run(args(boxCohort, dir.resolve("o6"), "-a", "x", "-m", "y", "--mask-label", "2",
        "--modes", "sideways")).code());
    // The engine options are explain's (one mixin): the same limits hold here.
    for (String[] bad : new String[][] {{"--frames", "1000"}, {"--stop-at", "NaN"}, {"--rescale", "0", "1"}}) {
      List<String> a = new java.util.ArrayList<>(List.of(args(boxCohort, dir.resolve("o7"), "-a",
          Fixtures.model("tiny-ae").toString(), "-m", Fixtures.model("tiny-classifier").toString(),
          "--mask-label", "2")));
      a.addAll(List.of(bad));
      Run bad7 = run(a.toArray(new String[0]));
      assertEquals(2, bad7.code(), String.join(" ", bad) + ": " + bad7.err());
      assertTrue(bad7.err().contains(bad[0]), bad7.err());
      assertFalse(Files.exists(dir.resolve("o7")), "nothing written for " + bad[0]);
    }
  }

  static int count(boolean[] m) {
    int n = 0;
    for (boolean b : m) {
      n += b ? 1 : 0;
    }
    return n;
  }

  /** Voxels whose centre lies within {@code radius} mm of a mask voxel's centre, by exhaustive search. */
  static boolean[] bruteForceDilation(Volume grid, boolean[] mask, double radius) {
    double[] s = grid.spacing();
    int nx = grid.nx();
    int ny = grid.ny();
    boolean[] out = new boolean[mask.length];
    for (int v = 0; v < mask.length; v++) {
      for (int u = 0; u < mask.length && !out[v]; u++) {
        if (mask[u]) {
          double dx = (v % nx - u % nx) * s[0];
          double dy = ((v / nx) % ny - (u / nx) % ny) * s[1];
          double dz = (v / (nx * ny) - u / (nx * ny)) * s[2];
          out[v] = dx * dx + dy * dy + dz * dz <= radius * radius * (1 + 1e-6);
        }
      }
    }
    return out;
  }

  static double mean(List<Map<String, String>> rows, String column) {
    double[] v = rows.stream().mapToDouble(m -> num(m, column)).filter(d -> !Double.isNaN(d)).toArray();
    return v.length == 0 ? Double.NaN : Arrays.stream(v).sum() / v.length;
  }

  static void assertClose(double expected, double actual, String what) {
    if (Double.isNaN(expected)) {
      assertTrue(Double.isNaN(actual), what + ": expected undefined, got " + actual);
    } else {
      assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), what);
    }
  }
}
