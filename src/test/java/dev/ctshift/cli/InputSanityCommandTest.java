package dev.ctshift.cli;

import static dev.ctshift.testing.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.internal.bind.TypeAdapters;
import com.google.gson.stream.JsonReader;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UnsignedShortAttribute;
import dev.ctshift.io.dicom.DicomDerivedWriter;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.io.sanity.Inputs;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The probes of issue 22 through {@code ctshift explain}: inputs that are not CT in HU, bad output
 * folders, options and model manifests are refused before the computation with the documented exit code
 * and no output; non-finite model scores stop the run; the autoencoder's fit to the scan is reported.
 * Inputs are made here from the bundled phantom CT; models are the tiny test models and those of
 * {@code scripts/make_bad_models.py}.
 */
class InputSanityCommandTest {
  @TempDir static Path dir;
  static Volume phantom;
  static Path hu;
  static Path uint8;

  @BeforeAll
  static void writeInputs() throws Exception {
    phantom = Inputs.phantom();
    hu = dir.resolve("phantom.nii.gz");
    NiftiWriter.write(hu, phantom, NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    // The LIDC-style export of the done-when: the phantom windowed to -1000..1000 HU, stored as uint8.
    uint8 = dir.resolve("lidc-like-uint8.nii.gz");
    NiftiWriter.write(uint8, Inputs.windowedUint8(phantom, -1000, 1000),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.UINT8));
  }

  static String[] explain(Path scan, Path out, String... extra) {
    return explain(scan, out, Fixtures.model("tiny-ae"), Fixtures.model("tiny-classifier"), extra);
  }

  static String[] explain(Path scan, Path out, Path ae, Path model, String... extra) {
    List<String> a = new ArrayList<>(List.of("explain", scan.toString(), "-a", ae.toString(), "-m", model.toString(),
        "-o", out.toString(), "--frames", "3", "--max-evaluations", "4"));
    a.addAll(Arrays.asList(extra));
    return a.toArray(String[]::new);
  }

  /** Parses JSON strictly: NaN and Infinity, which Gson's tree parser lets through, fail. */
  static JsonElement strictJson(String text) throws IOException {
    JsonReader r = new JsonReader(new StringReader(text));
    r.setLenient(false);
    return TypeAdapters.JSON_ELEMENT.read(r);
  }

  static void assertRefused(Run r, int code, Path out, String... phrases) {
    assertEquals(code, r.code(), r.err());
    for (String p : phrases) {
      assertTrue(r.err().contains(p), "expected '" + p + "' in:\n" + r.err());
    }
    assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
    assertFalse(Files.exists(out), out + " must not exist");
  }

  @Test
  void strictJsonRejectsNaN() {
    assertThrows(IOException.class, () -> strictJson("{\"a\": NaN}"));
  }

  // Done when: the uint8 case is refused with exit 3; --rescale or --assume-hu gets past the check.
  @Test
  void uint8WindowedCtIsRefusedAndRescaleOrAssumeHuGetsPast() throws Exception {
    Path out = dir.resolve("u8-refused");
    assertRefused(run(explain(uint8, out)), Main.EXIT_INPUT, out, uint8.toString(),
        "does not look like CT in Hounsfield units", "values 0..", "--rescale", "--assume-hu");

    Path rescaled = dir.resolve("u8-rescaled");
    Run r = run(explain(uint8, rescaled, "--rescale", "7.843", "-1000"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("mapped to HU by --rescale") && r.err().contains("approximate"), r.err());
    JsonObject report = strictJson(Files.readString(rescaled.resolve("report.json"))).getAsJsonObject();
    assertTrue(report.getAsJsonObject("input").get("description").getAsString().contains("rescaled"), report.toString());

    Path assumed = dir.resolve("u8-assumed");
    r = run(explain(uint8, assumed, "--assume-hu"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("--assume-hu: taken as HU although"), r.err());
  }

  // Done when: a NaN volume is refused with exit 3.
  @Test
  void nanAndInfVolumesAreRefused() throws Exception {
    Path nan = dir.resolve("nan.nii.gz");
    NiftiWriter.write(nan, Inputs.spoilt(phantom, 1000, Float.NaN), NiftiWriter.Options.defaults());
    Path out = dir.resolve("nan-out");
    assertRefused(run(explain(nan, out)), Main.EXIT_INPUT, out, nan.toString(), "1000 of", "NaN or infinite");
    float[] allNan = new float[phantom.voxelCount()];
    Arrays.fill(allNan, Float.NaN);
    Path all = dir.resolve("all-nan.nii.gz");
    NiftiWriter.write(all, phantom.withData(allNan), NiftiWriter.Options.defaults());
    assertRefused(run(explain(all, out)), Main.EXIT_INPUT, out, "NaN or infinite");
    Path inf = dir.resolve("inf.nii.gz");
    NiftiWriter.write(inf, Inputs.spoilt(phantom, 5, Float.POSITIVE_INFINITY), NiftiWriter.Options.defaults());
    assertRefused(run(explain(inf, out)), Main.EXIT_INPUT, out, "5 of");
  }

  @Test
  void notHuNiftiFilesAreRefused() throws Exception {
    Path out = dir.resolve("not-hu-out");
    Path mr = dir.resolve("mr-like.nii.gz");
    NiftiWriter.write(mr, Inputs.mrLike(phantom, -610, 30393), NiftiWriter.Options.defaults());
    assertRefused(run(explain(mr, out)), Main.EXIT_INPUT, out, "top 0.1% of values reach");
    Path mr4000 = dir.resolve("mr-0-4000.nii.gz");
    NiftiWriter.write(mr4000, Inputs.mrLike(phantom, 0, 4000), NiftiWriter.Options.defaults()
        .withDatatype(NiftiDatatype.INT16));
    assertRefused(run(explain(mr4000, out)), Main.EXIT_INPUT, out, "below -500");
    Path offset = dir.resolve("hu-plus-1024.nii.gz");
    NiftiWriter.write(offset, Inputs.map(phantom, x -> x + 1024), NiftiWriter.Options.defaults()
        .withDatatype(NiftiDatatype.UINT16));
    assertRefused(run(explain(offset, out)), Main.EXIT_INPUT, out, "below -500");
    // scl_slope 1000 on HU stored as int16: honoured as today, so air reads as -1,024,000.
    Path slope = dir.resolve("scl-slope-1000.nii.gz");
    NiftiWriter.write(slope, Inputs.map(phantom, x -> x * 1000), NiftiWriter.Options.defaults()
        .withDatatype(NiftiDatatype.INT16).withScaling(1000, 0));
    assertRefused(run(explain(slope, out)), Main.EXIT_INPUT, out, "lowest 0.5% of values reach");
    Path air = dir.resolve("all-air.nii.gz");
    NiftiWriter.write(air, Inputs.map(phantom, x -> -1000), NiftiWriter.Options.defaults()
        .withDatatype(NiftiDatatype.INT16));
    assertRefused(run(explain(air, out)), Main.EXIT_INPUT, out, "constant volume");
  }

  @Test
  void singleSlicesAreRefused() throws Exception {
    Path out = dir.resolve("slice-out");
    double[][] eye = {{4, 0, 0, 0}, {0, 4, 0, 0}, {0, 0, 4.5, 0}, {0, 0, 0, 1}};
    Path flat = dir.resolve("2d.nii.gz");
    NiftiWriter.write(flat, new Volume(96, 96, 1, Arrays.copyOfRange(phantom.data(), 96 * 96 * 16, 96 * 96 * 17),
        eye), NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    assertRefused(run(explain(flat, out)), Main.EXIT_INPUT, out, "is a single slice (96x96x1 voxels)");

    Path series = dicomSeries("slices");
    Path oneFile;
    try (Stream<Path> s = Files.list(series)) {
      oneFile = s.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
    }
    assertRefused(run(explain(oneFile, out)), Main.EXIT_INPUT, out, "is a single slice",
        "give the folder that holds the whole series");
    Path oneSlice = Files.createDirectories(dir.resolve("one-slice-series"));
    Files.copy(oneFile, oneSlice.resolve("image.dcm"));
    assertRefused(run(explain(oneSlice, out)), Main.EXIT_INPUT, out, "is a single slice");
  }

  @Test
  void aScanThinnerThanTheModelNeedsGetsAWarning() throws Exception {
    double[][] affine = {{4, 0, 0, 0}, {0, 4, 0, 0}, {0, 0, 4.5, 0}, {0, 0, 0, 1}};
    Path slab = dir.resolve("slab.nii.gz");
    NiftiWriter.write(slab, new Volume(96, 96, 3, Arrays.copyOfRange(phantom.data(), 96 * 96 * 14, 96 * 96 * 17),
        affine), NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    Path deep = copyModel(Fixtures.model("tiny-classifier"), "min-depth-8",
        m -> m.getAsJsonObject("input").addProperty("min_depth", 8));
    Run r = run(explain(slab, dir.resolve("slab-out"), Fixtures.model("tiny-ae"), deep, "-q"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains(slab + ": the scan gives 3 slice(s) on the model's grid, fewer than the 8 it needs;"
        + " padded with air to 8"), r.err());
  }

  @Test
  void dicomReadWithTheWrongPixelRepresentationIsRefused() throws Exception {
    Path series = dicomSeries("unsigned");
    try (Stream<Path> s = Files.list(series)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        AttributeList l = new AttributeList();
        l.read(f.toString());
        Attribute a = new UnsignedShortAttribute(TagFromName.PixelRepresentation);
        a.addValue(0);
        l.put(a);
        l.write(f.toString(), TransferSyntax.ExplicitVRLittleEndian, true, true);
      }
    }
    Path out = dir.resolve("unsigned-out");
    assertRefused(run(explain(series, out)), Main.EXIT_INPUT, out, "does not look like CT in Hounsfield units",
        "below -500");
  }

  /** The phantom written as a DICOM CT series (int16, PixelRepresentation 1) into a new folder. */
  static Path dicomSeries(String name) throws Exception {
    Path series = dir.resolve("dicom-" + name);
    DicomDerivedWriter.write(series, null, phantom, "phantom", s -> { });
    try (Stream<Path> s = Files.walk(series)) {
      assertTrue(s.filter(Files::isRegularFile).count() >= 32);
    }
    return series;
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "FILE", "/dev/null", "INPUT", "/proc/ctshift-out"})
  void badOutputFoldersFailAtOnceWithTheReason(String out) throws Exception {
    Path file = Files.writeString(dir.resolve("a-file.txt"), "x");
    String o = out.equals("FILE") ? file.toString() : out.equals("INPUT") ? hu.toString() : out;
    long started = System.nanoTime();
    Run r = run("explain", hu.toString(), "-a", Fixtures.model("tiny-ae").toString(), "-m",
        Fixtures.model("tiny-classifier").toString(), "-o", o);
    assertEquals(2, r.code(), r.err());
    String why = out.isEmpty() ? "--out is empty" : out.equals("INPUT") ? "is the input scan itself"
        : out.startsWith("/proc") ? "cannot write in /proc" : "exists and is not a folder";
    assertTrue(r.err().contains(why), r.err());
    assertTrue((System.nanoTime() - started) / 1e9 < 5, "must fail before the computation");
    assertEquals("x", Files.readString(file));
    assertTrue(Files.isRegularFile(hu));
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    Path out = dir.resolve("options-out");
    String[][] cases = {
      {"--frames", "100000"}, {"--stop-at", "1.5"}, {"--stop-at", "-0.5"}, {"--stop-at", "NaN"},
      {"--device", "tpu"}, {"--series-uid", "1.2.3"}, {"--rescale", "0", "5"}};
    String[] reasons = {"--frames must be at most 100", "--stop-at must be a probability between 0 and 1",
      "--stop-at must be a probability", "--stop-at must be a finite number", "must be cpu, gpu or gpu:N",
      "--series-uid chooses a DICOM series", "non-zero SLOPE"};
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of("explain", hu.toString(), "-a", Fixtures.model("tiny-ae").toString(),
          "-m", Fixtures.model("tiny-classifier").toString(), "-o", out.toString()));
      args.addAll(Arrays.asList(cases[i]));
      Run r = run(args.toArray(String[]::new));
      assertEquals(2, r.code(), Arrays.toString(cases[i]) + ": " + r.err());
      assertTrue(r.err().contains(reasons[i]), Arrays.toString(cases[i]) + ": " + r.err());
      assertFalse(Files.exists(out));
    }
  }

  @Test
  void classifiersWhoseOutputIsNotOneValuePerOutputFailAsModelErrors() {
    Path bad = Fixtures.MODELS.resolve("bad");
    Path out = dir.resolve("shape-out");
    assertRefused(run(explain(hu, out, Fixtures.model("tiny-ae"), bad.resolve("per-slice-classifier"))),
        Main.EXIT_MODEL, out, "per-slice-classifier", "a classifier must output [1, K]", "got (1, 1, 32)");
    assertRefused(run(explain(hu, out, Fixtures.model("tiny-ae"), bad.resolve("scalar-classifier"))),
        Main.EXIT_MODEL, out, "got a scalar");
  }

  @Test
  void aClassifierThatReturnsNaNStopsTheRunWithoutOutputs() {
    Path out = dir.resolve("nan-model-out");
    assertRefused(run(explain(hu, out, Fixtures.model("tiny-ae"), Fixtures.MODELS.resolve("bad/nan-classifier"))),
        Main.EXIT_FAILURE, out, "returned a score that is not a finite number");
  }

  @Test
  void manifestsThatBreakTheirPromisesFailAsModelErrors() throws Exception {
    Path out = dir.resolve("manifest-out");
    Path noInput = copyModel(Fixtures.model("tiny-classifier"), "no-input", m -> m.remove("input"));
    assertRefused(run(explain(hu, out, Fixtures.model("tiny-ae"), noInput)), Main.EXIT_MODEL, out,
        "no \"input\" section");
    Path threshold = copyModel(Fixtures.model("tiny-classifier"), "threshold-7", m -> m.addProperty("threshold", 7));
    assertRefused(run(explain(hu, out, Fixtures.model("tiny-ae"), threshold)), Main.EXIT_MODEL, out,
        "threshold must be a probability between 0 and 1", "got 7.0");
    Path home = Path.of("models");
    Path fiveNames = copyModel(home.resolve("phantom-classifier"), "five-names", m -> {
      var names = new com.google.gson.JsonArray();
      List.of("a", "b", "c", "d", "e").forEach(names::add);
      m.add("outputs", names);
    });
    assertRefused(run(explain(hu, out, home.resolve("phantom-ae"), fiveNames)), Main.EXIT_MODEL, out,
        "outputs names 5 outputs", "has 3");
    Path ae3mm = copyModel(home.resolve("phantom-ae"), "ae-3mm", m -> {
      var s = new com.google.gson.JsonArray();
      List.of(3.0, 3.0, 3.0).forEach(s::add);
      m.getAsJsonObject("input").add("spacing_mm", s);
    });
    assertRefused(run(explain(hu, out, ae3mm, home.resolve("phantom-classifier"))), Main.EXIT_MODEL, out,
        "3.0 x 3.0 mm voxels", "expects 6.0 x 6.0 mm");
    Path truncated = copyModel(home.resolve("phantom-ae"), "truncated", m -> { });
    Path params = truncated.resolve("slice-ae.params");
    byte[] all = Files.readAllBytes(params);
    Files.write(params, Arrays.copyOf(all, all.length / 2));
    Run r = run(explain(hu, out, truncated, home.resolve("phantom-classifier")));
    assertRefused(r, Main.EXIT_MODEL, out, "slice-ae.params");
    String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
    assertFalse(last.endsWith("null"), last);
  }

  @Test
  void reconstructionFitIsReportedAndStrictRefusesAScanTheAutoencoderDoesNotKnow() throws Exception {
    Path out = dir.resolve("fit-out");
    Run r = run(explain(hu, out));
    assertEquals(0, r.code(), r.err());
    JsonObject fit = strictJson(Files.readString(out.resolve("report.json"))).getAsJsonObject()
        .getAsJsonObject("reconstruction");
    double psnr = fit.get("psnr_db").getAsDouble();
    assertTrue(psnr > 0 && psnr < 60, fit.toString());
    assertTrue(fit.get("heldout_psnr_db").isJsonNull(), "tiny-ae records no held-out figure: " + fit);
    assertFalse(fit.get("far_below_heldout").getAsBoolean());
    assertFalse(r.err().contains("far below"), r.err());

    // The same autoencoder claiming a held-out PSNR far above what it reaches here.
    Path proud = copyModel(Fixtures.model("tiny-ae"), "proud-ae", m -> m.addProperty("heldout_psnr_db", psnr + 10));
    Path warned = dir.resolve("fit-warned");
    r = run(explain(hu, warned, proud, Fixtures.model("tiny-classifier")));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("far below its"), r.err());
    assertTrue(strictJson(Files.readString(warned.resolve("report.json"))).getAsJsonObject()
        .getAsJsonObject("reconstruction").get("far_below_heldout").getAsBoolean());
    Path strict = dir.resolve("fit-strict");
    assertRefused(run(explain(hu, strict, proud, Fixtures.model("tiny-classifier"), "--strict")), Main.EXIT_INPUT,
        strict, "far below its", "refused (--strict)");
  }

  interface Edit {
    void apply(JsonObject manifest);
  }

  /** A copy of a model folder with its manifest edited. */
  static Path copyModel(Path from, String name, Edit edit) throws IOException {
    Path to = Files.createDirectories(dir.resolve("models").resolve(name));
    try (Stream<Path> s = Files.list(from)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    JsonObject m = com.google.gson.JsonParser.parseString(Files.readString(to.resolve("model.json"))).getAsJsonObject();
    edit.apply(m);
    Files.writeString(to.resolve("model.json"), m.toString());
    return to;
  }
}
