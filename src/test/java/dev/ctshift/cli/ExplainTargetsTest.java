package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiImage;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.Models;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ctshift explain} with several targets: same counterfactuals as one run each, and the cross-effects. */
class ExplainTargetsTest {
  static final List<String> OUTPUTS = List.of("finding_a", "finding_b");
  @TempDir static Path dir;
  static Path scan;

  @BeforeAll
  static void writeScan() throws Exception {
    // LPS, 20x18 in-plane (cropped/padded to the models' 16x16), 6 slices, integer HU.
    double[][] lps = {{-0.8, 0, 0, 10}, {0, -0.8, 0, 20}, {0, 0, 2.5, -30}, {0, 0, 0, 1}};
    float[] hu = new float[20 * 18 * 6];
    Random r = new Random(5);
    for (int i = 0; i < hu.length; i++) {
      hu[i] = Math.round(-600 + 900 * r.nextFloat());
    }
    scan = dir.resolve("scan.nii.gz");
    NiftiWriter.write(scan, new Volume(20, 18, 6, hu, lps),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
  }

  static Run explain(String model, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("explain", scan.toString(), "-a", Fixtures.model("tiny-ae").toString(),
        "-m", model.contains("/") ? model : Fixtures.model(model).toString(), "-o", out.toString(), "--frames", "3", "--stop-change", "0.3",
        "--change-budget", "1", "--max-evaluations", "6"));
    a.addAll(List.of(extra));
    return run(a.toArray(String[]::new));
  }

  static JsonObject json(Path p) throws Exception {
    return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
  }

  /** Every output's probability on an HU volume: preprocessed as the manifest says, the model, a sigmoid. */
  static double[] probabilities(Volume hu) throws Exception {
    Path modelDir = Fixtures.model("tiny-classifier");
    Volume x = Preprocessing.fromManifest(ModelManifest.read(modelDir).input()).prepare(hu).volume();
    TorchRuntime runtime = TorchRuntime.start("cpu", s -> { });
    try (VolumeModel model = Models.loadVolumeModel(modelDir, runtime.device());
        NDManager m = runtime.newManager()) {
      NDArray logits = model.forward(m.create(x.data(), new Shape(1, 1, x.nz(), x.ny(), x.nx())), false);
      float[] z = logits.toFloatArray();
      double[] p = new double[z.length];
      for (int i = 0; i < z.length; i++) {
        p[i] = 1 / (1 + Math.exp(-z[i]));
      }
      return p;
    }
  }

  static Set<String> targetFolders(Path out) throws Exception {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> list = Files.list(out)) {
      list.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  @Test
  void severalTargetsGiveTheCounterfactualsOfSeparateRunsAndTheirCrossEffects() throws Exception {
    Path multi = dir.resolve("multi");
    Run r = explain("tiny-classifier", multi, "-t", "finding_a", "-t", "finding_b");
    assertEquals(0, r.code(), r.err());
    assertEquals(Set.of("finding_a", "finding_b"), targetFolders(multi));
    JsonObject summary = json(multi.resolve("summary.json"));
    JsonArray rows = summary.getAsJsonArray("targets");
    JsonArray cross = summary.getAsJsonObject("cross_effects").getAsJsonArray("rows");
    assertEquals(2, rows.size());
    Volume input = NiftiReader.readVolume(scan);
    for (int t = 0; t < 2; t++) {
      String target = OUTPUTS.get(t);
      Path single = dir.resolve("single-" + target);
      Run s = explain("tiny-classifier", single, "-t", target);
      assertEquals(0, s.code(), s.err());
      Path folder = multi.resolve(target);
      for (String file : List.of("counterfactual.nii.gz", "frames.nii.gz", "heatmap.nii.gz")) {
        NiftiImage a = NiftiReader.read(single.resolve(file));
        NiftiImage b = NiftiReader.read(folder.resolve(file));
        assertEquals(a.volumeCount(), b.volumeCount());
        for (int v = 0; v < a.volumeCount(); v++) {
          assertArrayEquals(a.volume(v).data(), b.volume(v).data(), target + " " + file + " as in a run of its own");
        }
      }
      JsonObject alone = json(single.resolve("report.json"));
      JsonObject together = json(folder.resolve("report.json"));
      assertEquals(alone.getAsJsonObject("search").get("steps"), together.getAsJsonObject("search").get("steps"));
      assertEquals(alone.get("sweep"), together.get("sweep"));

      JsonObject row = rows.get(t).getAsJsonObject();
      assertEquals(target, row.get("target").getAsString());
      assertEquals(alone.getAsJsonObject("scores").get("scan").getAsDouble(), row.get("score_before").getAsDouble(),
          1e-5);
      assertEquals(alone.getAsJsonObject("scores").get("counterfactual").getAsDouble(),
          row.get("score_after").getAsDouble(), 1e-9);
      assertEquals(alone.getAsJsonObject("search").get("lambda_star").getAsDouble(),
          row.get("lambda_star").getAsDouble(), 1e-9);
      assertEquals(alone.getAsJsonObject("search").get("stop_reason").getAsString(),
          row.get("stop_reason").getAsString());
      assertEquals(alone.getAsJsonObject("slices").get("most_changed"), row.get("most_changed_slices"));
      Volume cf = NiftiReader.readVolume(folder.resolve("counterfactual.nii.gz"));
      double meanAbs = 0;
      for (int i = 0; i < cf.voxelCount(); i++) {
        meanAbs += Math.abs(cf.data()[i] - input.data()[i]);
      }
      // The file holds whole HU: at most half a unit from the change the summary measured.
      assertEquals(meanAbs / cf.voxelCount(), row.get("mean_abs_change_hu").getAsDouble(), 0.5);

      // The cross-effects row: every output's score on the written counterfactual, recomputed here.
      double[] expected = probabilities(cf);
      JsonObject scores = cross.get(t).getAsJsonObject().getAsJsonObject("scores");
      assertEquals(target, cross.get(t).getAsJsonObject().get("counterfactual").getAsString());
      for (int o = 0; o < OUTPUTS.size(); o++) {
        assertEquals(expected[o], scores.get(OUTPUTS.get(o)).getAsDouble(), 1e-5, target + " row, " + OUTPUTS.get(o));
      }
    }
    double[] onScan = probabilities(input);
    for (int o = 0; o < OUTPUTS.size(); o++) {
      assertEquals(onScan[o], summary.getAsJsonObject("scan_scores").get(OUTPUTS.get(o)).getAsDouble(), 1e-5);
    }
    String md = Files.readString(multi.resolve("summary.md"));
    assertTrue(md.contains("| counterfactual of | finding_a | finding_b |"), md);
    assertTrue(Files.size(multi.resolve("panel.png")) > 0);
    assertTrue(r.out().contains("summary and cross-effects in"), r.out());
  }

  @Test
  void positivePicksExactlyTheOutputsAtOrAboveTheirThreshold() throws Exception {
    double[] p = probabilities(NiftiReader.readVolume(scan));
    // The fixture's outputs both score ~0.72 here: a copy with its threshold between them splits them.
    double threshold = (p[0] + p[1]) / 2;
    Path model = Fixtures.MODELS.resolve("tiny-classifier").toAbsolutePath();
    Path split = dir.resolve("split-classifier");
    Files.createDirectories(split);
    Files.copy(model.resolve("model.pt"), split.resolve("model.pt"));
    JsonObject manifest = json(model.resolve("model.json"));
    manifest.addProperty("threshold", threshold);
    Files.writeString(split.resolve("model.json"), manifest.toString());
    Set<String> found = new TreeSet<>();
    Set<String> notFound = new TreeSet<>();
    for (int o = 0; o < OUTPUTS.size(); o++) {
      (p[o] >= threshold ? found : notFound).add(OUTPUTS.get(o));
    }
    assertEquals(1, found.size(), "one output on each side of " + threshold + ": " + p[0] + ", " + p[1]);

    Path lower = dir.resolve("positive");
    Run r = explain(split.toString(), lower, "--targets", "positive");
    assertEquals(0, r.code(), r.err());
    assertEquals(found, targetFolders(lower));
    assertEquals(1, json(lower.resolve("summary.json")).getAsJsonArray("targets").size());
    Path raise = dir.resolve("positive-raise");
    Run up = explain(split.toString(), raise, "--targets", "positive", "--direction", "raise");
    assertEquals(0, up.code(), up.err());
    assertEquals(notFound, targetFolders(raise), "raising: the outputs below the threshold");
  }

  @Test
  void severalClassesOfASegmenter() throws Exception {
    Path out = dir.resolve("seg");
    Run r = explain("tiny-segmenter", out, "--targets", "all");
    assertEquals(0, r.code(), r.err());
    assertEquals(Set.of("background", "target"), targetFolders(out));
    JsonObject summary = json(out.resolve("summary.json"));
    assertEquals(2, summary.getAsJsonObject("cross_effects").getAsJsonArray("rows").size());
    assertEquals("soft voxel fraction of target",
        json(out.resolve("target/report.json")).getAsJsonObject("target").get("score").getAsString());

    Run positive = explain("tiny-segmenter", dir.resolve("seg-positive"), "--targets", "positive");
    assertEquals(4, positive.code(), positive.err());
    assertTrue(positive.err().contains("'positive' needs a classifier"), positive.err());
    assertFalse(Files.exists(dir.resolve("seg-positive")), "nothing written");
  }

  @Test
  void usageErrors() {
    Run both = explain("tiny-classifier", dir.resolve("u1"), "-t", "finding_a", "--targets", "all");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("either with -t or with --targets"), both.err());
    Run names = explain("tiny-classifier", dir.resolve("u2"), "--targets", "finding_a");
    assertEquals(2, names.code());
    assertTrue(names.err().contains("--targets must be all or positive"), names.err());
    Run unknown = explain("tiny-classifier", dir.resolve("u3"), "-t", "finding_a", "-t", "effusion");
    assertEquals(4, unknown.code());
    assertTrue(unknown.err().contains("unknown target 'effusion'"), unknown.err());
  }
}
