package dev.ctshift.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest.Activation;
import dev.ctshift.model.ModelManifest.Format;
import dev.ctshift.model.ModelManifest.Input;
import dev.ctshift.model.ModelManifest.Kind;
import dev.ctshift.model.ModelManifest.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The one reader and writer of {@code model.json}: round trips, the builder's checks and the typed arguments. */
class ModelManifestTest {
  @TempDir Path dir;

  /** Every committed manifest: made by scripts/make_*_models.py (TorchScript) and by ctshift train (DJL). */
  static Stream<Path> committedManifests() throws IOException {
    List<Path> files;
    try (Stream<Path> models = Files.walk(Path.of("models")); Stream<Path> test = Files.walk(Path.of("src/test/resources"))) {
      files = Stream.concat(models, test).filter(p -> p.getFileName().toString().equals("model.json")).sorted().toList();
    }
    return files.stream();
  }

  @Test
  void theRoundTripCoversEveryKindOfCommittedManifest() throws IOException {
    List<Path> files = committedManifests().toList();
    assertTrue(files.size() >= 18, files.toString());
    assertTrue(files.contains(Path.of("models/phantom-classifier/model.json")), files.toString());
    assertTrue(files.contains(Path.of("models/demo-lung-segmenter/model.json")), files.toString());
  }

  @ParameterizedTest
  @MethodSource("committedManifests")
  void aReadManifestWritesBackTheSameJson(Path file) throws Exception {
    JsonElement expected = JsonParser.parseString(Files.readString(file));
    String text = ModelManifest.read(file).toJson();
    assertEquals(expected, JsonParser.parseString(text), file + " written back as\n" + text);
    // And the text is a fixed point: read again, it is written the same, byte for byte.
    assertEquals(text, ModelManifest.parse(JsonParser.parseString(text).getAsJsonObject(), "unused").build().toJson());
  }

  @Test
  void aBuiltClassifierIsWrittenInTheDocumentedOrderAndNumberForms() {
    ModelManifest m = ModelManifest.builder().setName("c").setKind(Kind.CLASSIFIER).optFile("model", "model.pt")
        .optInput(new Input("RAS", new double[] {1.5, 1.5, 3}, new int[] {64, 32}, new double[] {-1000, 1000},
            new double[] {0, 1}, Layout.NCDHW, 1, 8))
        .optOutputs(List.of("a", "b")).optActivation(Activation.SIGMOID).optThreshold(0.5).build();
    String expected = """
        {
          "name": "c",
          "kind": "classifier",
          "format": "torchscript",
          "files": {
            "model": "model.pt"
          },
          "input": {
            "orientation": "RAS",
            "spacing_mm": [
              1.5,
              1.5,
              3.0
            ],
            "size": [
              64,
              32
            ],
            "hu_window": [
              -1000.0,
              1000.0
            ],
            "range": [
              0,
              1
            ],
            "layout": "NCDHW",
            "min_depth": 8
          },
          "outputs": [
            "a",
            "b"
          ],
          "activation": "sigmoid",
          "threshold": 0.5
        }
        """;
    assertEquals(expected, m.toJson());
  }

  @Test
  void aBuiltDjlAutoencoderWritesAllItsArgumentsAndNoVolumeLayout() throws Exception {
    SliceAe args = SliceAe.DEFAULTS.withLevels(1).withLatentChannels(2).withDecoderKernel(1);
    ModelManifest m = ModelManifest.builder().setName("phantom-ae").setKind(Kind.AUTOENCODER).optFormat(Format.DJL)
        .optFile("params", "slice-ae.params").optArchitecture(args)
        .optInput(new Input("RAS", new double[] {6, 6, 6}, new int[] {64, 64}, new double[] {-1000, 1000},
            new double[] {0, 1}, Layout.NCDHW, 1, 1))
        .optHeldOutPsnrDb(28.8).build();
    // The committed phantom-ae was written by ctshift train before the builder existed: same JSON.
    assertEquals(JsonParser.parseString(Files.readString(Path.of("models/phantom-ae/model.json"))),
        JsonParser.parseString(m.toJson()));

    Files.writeString(dir.resolve("slice-ae.params"), "");
    ModelManifest back = m.write(dir);
    assertEquals(dir.toAbsolutePath(), back.directory());
    ModelManifest read = ModelManifest.read(dir);
    assertEquals(m.toJson(), Files.readString(dir.resolve("model.json")));
    assertEquals(args, read.architectureArgs(SliceAe.class));
    assertEquals(m.input(), read.input());
    assertEquals(28.8, read.heldOutPsnrDb());
    assertEquals(dir.toAbsolutePath().resolve("slice-ae.params"), read.file("params"));
  }

  @Test
  void aManifestWithoutOptionalEntriesHasTheirDefaults() {
    ModelManifest m = ModelManifest.builder().setName("s").setKind(Kind.SEGMENTER).optFile("model", "m.pt").build();
    assertEquals(Input.DEFAULT, m.input());
    assertEquals(false, m.declaresInput());
    assertEquals(Activation.SOFTMAX, m.activation());
    assertEquals(0.5, m.threshold());
    String text = m.toJson();
    for (String absent : List.of("input", "activation", "threshold", "outputs", "score", "architecture")) {
      assertTrue(!text.contains("\"" + absent + "\""), text);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "NO_NAME | \"name\" is required",
      "NO_KIND | \"kind\" is required",
      "NO_MODEL_FILE | files.model is required for a classifier in torchscript format",
      "NO_ARCHITECTURE | \"architecture\" is required for format djl",
      "NO_PARAMS | files.params is required for a classifier in djl format",
      "WRONG_KIND | architecture segmenter3d is a segmenter but kind is classifier",
      "OUTPUT_COUNT | the network (architecture_args.outputs) has 1",
      "THRESHOLD | threshold must be a probability between 0 and 1 for activation sigmoid, got 1.5",
      "WINDOW | input.hu_window must be [low, high] with low < high, got [100.0, -100.0]",
      "ORIENTATION | input.orientation: orientation must name each of R/L, A/P, S/I once, got 'RRS'",
      "SCORE_CLASS | score.class 'liver' is not one of outputs [a, b]"})
  void buildRefusesAnIncompleteOrInconsistentManifestNamingTheEntry(String fault, String message) {
    ModelManifestBuilder b = ModelManifest.builder().setName("m").setKind(Kind.CLASSIFIER).optFile("model", "m.pt");
    switch (fault) {
      case "NO_NAME" -> b.setName(null);
      case "NO_KIND" -> b.setKind(null);
      case "NO_MODEL_FILE" -> b.setFiles(java.util.Map.of());
      case "NO_ARCHITECTURE" -> b.optFormat(Format.DJL).setFiles(java.util.Map.of("params", "p"));
      case "NO_PARAMS" -> b.optFormat(Format.DJL).optArchitecture(Classifier3d.DEFAULTS);
      case "WRONG_KIND" -> b.optArchitecture(Segmenter3d.DEFAULTS);
      case "OUTPUT_COUNT" -> b.optArchitecture(Classifier3d.DEFAULTS).optOutputs(List.of("a", "b"));
      case "THRESHOLD" -> b.optThreshold(1.5);
      case "WINDOW" -> b.optInput(new Input("RAS", null, null, new double[] {100, -100}, new double[] {0, 1},
          Layout.NCDHW, 1, 1));
      case "ORIENTATION" -> b.optInput(new Input("RRS", null, null, new double[] {-1000, 1000}, new double[] {0, 1},
          Layout.NCDHW, 1, 1));
      case "SCORE_CLASS" -> b.setKind(Kind.SEGMENTER).optOutputs(List.of("a", "b")).optScoreClass("liver");
      default -> throw new AssertionError(fault);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "slice-ae | {\"levels\": 0} | slice-ae: architecture argument levels must be a positive integer, got 0",
      "slice-ae | {\"levels\": 2.5} | slice-ae: architecture argument levels must be a positive integer, got 2.5",
      "slice-ae | {\"levels\": \"3\"} | slice-ae: architecture argument levels must be a positive integer, got \"3\"",
      "slice-ae | {\"decoder_kernel\": 2} | slice-ae: architecture argument decoder_kernel must be odd, got 2",
      "slice-ae | {\"depth\": 3} | slice-ae: unknown architecture argument 'depth'",
      "classifier3d | {\"head\": \"median\"} | classifier3d: architecture argument head must be one of [avg, max",
      "classifier3d | {\"outputs\": 3, \"trunk\": \"2+2\"} | classifier3d: trunk groups 2+2 must add up to the 3 outputs",
      "classifier3d | {\"trunk\": \"both\"} | classifier3d: architecture argument trunk must be shared, per-output",
      "vnet | {} | unknown architecture 'vnet', expected one of [slice-ae, classifier3d, segmenter3d]"})
  void badArchitectureArgumentsAreRefusedNamingTheFileAndTheArgument(String architecture, String args,
      String message) throws IOException {
    Files.writeString(dir.resolve("w.params"), "");
    String kind = architecture.equals("slice-ae") ? "autoencoder" : "classifier";
    Files.writeString(dir.resolve("model.json"), "{\"kind\": \"" + kind + "\", \"format\": \"djl\", \"files\":"
        + " {\"params\": \"w.params\"}, \"architecture\": \"" + architecture + "\", \"architecture_args\": " + args + "}");
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelManifest.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("model.json").toString() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void partialArgumentsReadWithDefaultsAndWriteBackAsGiven() throws Exception {
    Files.writeString(dir.resolve("w.params"), "");
    Files.writeString(dir.resolve("model.json"), "{\"kind\": \"classifier\", \"format\": \"djl\", \"files\":"
        + " {\"params\": \"w.params\"}, \"architecture\": \"classifier3d\", \"architecture_args\": {\"levels\": 4}}");
    ModelManifest m = ModelManifest.read(dir);
    assertEquals(Classifier3d.DEFAULTS.withLevels(4), m.architectureArgs(Classifier3d.class));
    assertEquals(Classifier3d.DEFAULTS.withLevels(4), m.architectureArgs(ArchitectureArgs.class));
    assertEquals(JsonParser.parseString("{\"levels\": 4}"), m.json().get("architecture_args"));
    assertEquals(JsonParser.parseString("{\"base_channels\": 8, \"convs\": 1, \"head\": \"avg\", \"levels\": 4,"
        + " \"outputs\": 1, \"trunk\": \"shared\"}"), m.architectureArgs(Classifier3d.class).toJson());
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> m.architectureArgs(SliceAe.class));
    assertTrue(e.getMessage().contains(dir.resolve("model.json").toString())
        && e.getMessage().contains("the architecture is classifier3d, expected slice-ae"), e.getMessage());
  }

  @Test
  void typedArgumentsRefuseBadValuesThemselves() {
    assertThrows(IllegalArgumentException.class, () -> SliceAe.DEFAULTS.withDecoderKernel(4));
    assertThrows(IllegalArgumentException.class, () -> Segmenter3d.DEFAULTS.withClasses(0));
    assertThrows(IllegalArgumentException.class, () -> Classifier3d.DEFAULTS.withTrunk("2+1"));
    assertArrayEquals(new int[] {2, 1}, Classifier3d.DEFAULTS.withOutputsAndTrunk(3, "2+1").trunkGroups());
    assertArrayEquals(new int[] {1, 1, 1}, Classifier3d.DEFAULTS.withOutputsAndTrunk(3, "per-output").trunkGroups());
    assertEquals(8, SliceAe.DEFAULTS.sizeMultiple());
    assertEquals(SliceAe.DEFAULTS.withLevels(2), ArchitectureArgs.fromJson("slice-ae",
        JsonParser.parseString("{\"levels\": 2}").getAsJsonObject()));
  }

  @Test
  void inputsAreValuesOfTheirEntries() {
    double[] spacing = {1, 2, 3};
    Input a = new Input("RAS", spacing, new int[] {8, 8}, new double[] {-1000, 1000}, new double[] {0, 1},
        Layout.NCDHW, 1, 1);
    Input b = new Input("RAS", new double[] {1, 2, 3}, new int[] {8, 8}, new double[] {-1000, 1000},
        new double[] {0, 1}, Layout.NCDHW, 1, 1);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    spacing[0] = 9;
    a.spacingMm()[1] = 9;
    assertEquals(b, a, "the record holds copies");
    assertNotEquals(a, new Input("RAS", new double[] {1, 2, 3}, new int[] {8, 8}, new double[] {-1000, 1000},
        new double[] {0, 1}, Layout.NCHWD, 1, 1));
    assertTrue(a.toString().contains("spacingMm=[1.0, 2.0, 3.0]"), a.toString());
  }
}
