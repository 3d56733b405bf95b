package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.phantom.Phantom;
import dev.ctshift.phantom.PhantomAttributes;
import dev.ctshift.phantom.PhantomConfig;
import dev.ctshift.phantom.PhantomGenerator;
import dev.ctshift.testing.Cli;
import dev.ctshift.testing.Cli.Run;
import dev.ctshift.train.AutoencoderTrainer;
import dev.ctshift.train.ClassifierOptions;
import dev.ctshift.train.ClassifierTrainer;
import dev.ctshift.train.FindingCrops;
import dev.ctshift.train.GradientPenalty;
import dev.ctshift.train.NetworkTrainer;
import dev.ctshift.train.ProgressListener;
import dev.ctshift.train.SegmenterTrainer;
import dev.ctshift.train.TrainConfig;
import dev.ctshift.train.data.FindingTable;
import dev.ctshift.train.data.ModelSpaceLoader;
import dev.ctshift.train.data.ModelSpaceScan;
import dev.ctshift.train.data.ScanFiles;
import dev.ctshift.train.data.TrainingSets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny end-to-end runs of {@code ctshift train}: two 32 x 32 x 8 phantoms at 10 mm become 16 x 16 x 4
 * model-space volumes at 20 mm. The model each run writes must load through {@link Models} and
 * compute exactly what the same training, done here through the library, computes.
 */
class TrainCommandTest {
  @TempDir static Path data;
  @TempDir Path tmp;

  private static final String[] GEOMETRY = {"--size", "16", "16", "--spacing-mm", "20", "20", "20",
      "--hu-window", "-1000", "800", "--epochs", "1", "--batch-size", "2", "--lr", "0.01", "--seed", "5",
      "--val-fraction", "0.5", "--base-channels", "2", "--levels", "2", "--threads", "1", "-q"};

  @BeforeAll
  static void phantoms() throws Exception {
    PhantomGenerator gen = new PhantomGenerator(PhantomConfig.builder().grid(32, 8, 10, 10).imageQuality(5, 0.5)
        .rates(0.5, 0.5, 0.5).nodules(2, 4, 18).build());
    List<String> csv = new ArrayList<>(List.of(PhantomAttributes.csvHeader()));
    for (int s = 0; s < 2; s++) {
      Phantom p = gen.generate("t" + s, 100 + s);
      NiftiWriter.write(data.resolve("t" + s + ".nii.gz"), p.ct(),
          NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
      NiftiWriter.write(data.resolve("t" + s + "_labels.nii.gz"), p.labels(),
          NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.UINT8));
      csv.add(p.attributes().csvRow());
    }
    Files.write(data.resolve("labels.csv"), csv, StandardCharsets.UTF_8);
  }

  private static Run run(List<String> args) {
    return Cli.run(args.toArray(new String[0]));
  }

  private List<String> args(String kind, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("train", kind, "--data", data.toString(), "--out", out.toString()));
    a.addAll(List.of(GEOMETRY));
    a.addAll(List.of(extra));
    return a;
  }

  private static TrainConfig config() {
    return TrainConfig.builder().epochs(1).batchSize(2).learningRate(0.01).seed(5).validationFraction(0.5).build();
  }

  /** The classifier the command line trains: 2 base channels, 2 levels, 3 outputs. */
  private static Classifier3d classifierArgs() {
    return Classifier3d.DEFAULTS.withBaseChannels(2).withLevels(2).withOutputs(3);
  }

  private static List<ModelSpaceScan> load(ModelManifest m, int[] codes) throws Exception {
    return new ModelSpaceLoader(m.input(), 1).load(ScanFiles.find(List.of(data)), codes, s -> { });
  }

  private static float[] forward(NetworkTrainer<?, ?> trainer, NDArray x) {
    return trainer.network().block().forward(trainer.network().parameterStore(), new NDList(x), false)
        .singletonOrThrow().toFloatArray();
  }

  private ModelManifest trainAndCheckManifest(String kind, Path out, String... extra) throws Exception {
    Run r = run(args(kind, out, extra));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("model in " + out), r.out());
    ModelManifest m = ModelManifest.read(out);
    assertEquals(ModelManifest.Format.DJL, m.format());
    assertEquals("RAS", m.input().orientation());
    assertArrayEquals(new double[] {20, 20, 20}, m.input().spacingMm());
    assertArrayEquals(new int[] {16, 16}, m.input().size());
    assertArrayEquals(new double[] {-1000, 800}, m.input().huWindow());
    assertEquals(out.getFileName().toString(), m.name());
    JsonObject record = JsonParser.parseString(Files.readString(out.resolve("training.json"))).getAsJsonObject();
    assertEquals(1, record.getAsJsonArray("history").size());
    return m;
  }

  @Test
  void classifierModelLoadsAndMatchesTheSameTrainingThroughTheLibrary() throws Exception {
    Path out = tmp.resolve("cls");
    ModelManifest m = trainAndCheckManifest("classifier", out, "--labels", data.resolve("labels.csv").toString());
    assertEquals(ModelManifest.Kind.CLASSIFIER, m.kind());
    assertEquals(FindingTable.PHANTOM_FINDINGS, m.outputs());
    assertEquals(ModelManifest.Activation.SIGMOID, m.activation());
    assertEquals(0.5, m.threshold());
    assertEquals(2, m.input().minDepth(), "two levels pool the depth once: at least 2 slices");

    List<ModelSpaceScan> scans = load(m, null);
    FindingTable table = FindingTable.read(data.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    try (ClassifierTrainer t = new ClassifierTrainer(config(), classifierArgs());
        VolumeModel loaded = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      t.fit(TrainingSets.labelled(scans, 4, 0f, table), ProgressListener.NONE);
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        assertArrayEquals(forward(t, x), loaded.forward(x, false).toFloatArray(), 0f, s.id());
      }
    }
  }

  @Test
  void findingRegionsReachTheTrainerAsTheirLabelCodes() throws Exception {
    Path out = tmp.resolve("cls-regions");
    ModelManifest m = trainAndCheckManifest("classifier", out, "--labels", data.resolve("labels.csv").toString(),
        "--head", "classmap", "--finding-region", "nodule=4", "--finding-region", "effusion=2",
        "--region-weight", "3");

    // Codes are loaded in option order: nodule (4) is class 1, effusion (2) class 2.
    List<ModelSpaceScan> scans = load(m, new int[] {4, 2});
    FindingTable table = FindingTable.read(data.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    try (ClassifierTrainer t = new ClassifierTrainer(config(),
            classifierArgs().withHead("classmap"),
            ClassifierOptions.DEFAULTS.withRegionWeight(3));
        VolumeModel loaded = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      t.fit(TrainingSets.labelled(scans, 4, 0f, table, new int[] {2, 0, 1}), ProgressListener.NONE);
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        assertArrayEquals(forward(t, x), loaded.forward(x, false).toFloatArray(), 0f, s.id());
      }
    }

    Run r = run(args("classifier", tmp.resolve("r1"), "--labels",
        data.resolve("labels.csv").toString(), "--finding-region", "effusion=2"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--finding-region needs --head classmap"), r.err());
    r = run(args("classifier", tmp.resolve("r2"), "--labels",
        data.resolve("labels.csv").toString(), "--head", "classmap", "--finding-region", "spleen=7"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--finding-region spleen: not one of --targets"), r.err());
    assertTrue(!Files.exists(tmp.resolve("r1")) && !Files.exists(tmp.resolve("r2")), "no partial output");
  }

  @Test
  void addReconstructionsTrainsOnEachScanAndItsReconstruction() throws Exception {
    Path ae = tmp.resolve("ae");
    trainAndCheckManifest("autoencoder", ae);
    Path out = tmp.resolve("cls-recon");
    ModelManifest m = trainAndCheckManifest("classifier", out, "--labels", data.resolve("labels.csv").toString(),
        "--add-reconstructions", ae.toString());
    JsonObject options = JsonParser.parseString(Files.readString(out.resolve("training.json"))).getAsJsonObject()
        .getAsJsonObject("options");
    assertEquals(ae.toString(), options.get("add_reconstructions").getAsString());

    List<ModelSpaceScan> scans = load(m, null);
    FindingTable table = FindingTable.read(data.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    try (SliceAutoencoder autoencoder = Models.loadAutoencoder(ae, Device.cpu());
        ClassifierTrainer t = new ClassifierTrainer(config(), classifierArgs());
        VolumeModel loaded = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      List<ModelSpaceScan> both = new ArrayList<>(scans);
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(4, 1, 16, 16));
        float[] recon = autoencoder.decode(autoencoder.encode(x), false).toFloatArray();
        both.add(new ModelSpaceScan(s.id(), s.source(), 4, 16, 16, recon, null));
      }
      t.fit(TrainingSets.labelled(both, 4, 0f, table), ProgressListener.NONE);
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        assertArrayEquals(forward(t, x), loaded.forward(x, false).toFloatArray(), 0f, s.id());
      }
    }

    // An autoencoder of another geometry is refused before anything is read or written.
    List<String> other = args("classifier", tmp.resolve("r1"), "--labels", data.resolve("labels.csv").toString(),
        "--add-reconstructions", ae.toString());
    other.set(other.indexOf("--spacing-mm") + 1, "10");
    Run r = run(other);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--add-reconstructions " + ae + ": its input geometry"), r.err());
    assertTrue(!Files.exists(tmp.resolve("r1")), "no partial output");
  }

  @Test
  void gradientPenaltyReachesTheTrainerAndNeedsFindingRegions() throws Exception {
    Path out = tmp.resolve("cls-penalty");
    ModelManifest m = trainAndCheckManifest("classifier", out, "--labels", data.resolve("labels.csv").toString(),
        "--head", "classmap", "--finding-region", "effusion=2", "--region-weight", "0",
        "--gradient-penalty", "0.5", "--gradient-margin", "2", "--gradient-penalty-share");
    JsonObject options = JsonParser.parseString(Files.readString(out.resolve("training.json"))).getAsJsonObject()
        .getAsJsonObject("options");
    assertEquals(JsonParser.parseString("{\"finding_regions\": {\"effusion\": 2}, \"region_weight\": 0.0,"
        + " \"gradient_penalty\": {\"weight\": 0.5, \"margin_voxels\": 2, \"form\": \"share\"}}"), options);
    List<ModelSpaceScan> scans = load(m, new int[] {2});
    FindingTable table = FindingTable.read(data.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    try (ClassifierTrainer t = new ClassifierTrainer(config(),
            classifierArgs().withHead("classmap"),
            new ClassifierOptions(0, null, 0, new GradientPenalty(0.5, 2, true)));
        VolumeModel loaded = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      t.fit(TrainingSets.labelled(scans, 4, 0f, table, new int[] {1, 0, 0}), ProgressListener.NONE);
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        assertArrayEquals(forward(t, x), loaded.forward(x, false).toFloatArray(), 0f, s.id());
      }
    }

    Run r = run(args("classifier", tmp.resolve("p1"), "--labels",
        data.resolve("labels.csv").toString(), "--head", "classmap", "--gradient-penalty", "1"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--gradient-penalty needs --finding-region"), r.err());
    r = run(args("classifier", tmp.resolve("p2"), "--labels",
        data.resolve("labels.csv").toString(), "--head", "classmap", "--finding-region", "effusion=2",
        "--gradient-penalty", "1", "--gradient-margin", "-1"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("margin must be at least 0"), r.err());
    r = run(args("classifier", tmp.resolve("p3"), "--labels",
        data.resolve("labels.csv").toString(), "--head", "classmap", "--finding-region", "effusion=2",
        "--gradient-penalty-share"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--gradient-penalty-share needs --gradient-penalty"), r.err());
    assertTrue(!Files.exists(tmp.resolve("p1")) && !Files.exists(tmp.resolve("p2")) && !Files.exists(tmp.resolve("p3")),
        "no partial output");
  }

  @Test
  void cropEpochsAndConvsReachTheTrainerAndBadCropsAreRefused() throws Exception {
    Path out = tmp.resolve("cls-crops");
    ModelManifest m = trainAndCheckManifest("classifier", out, "--labels", data.resolve("labels.csv").toString(),
        "--head", "classmap", "--convs", "2", "--finding-region", "effusion=2", "--crop-epochs", "1",
        "--crops-per-volume", "2", "--crop-size", "2", "8", "8");
    JsonObject options = JsonParser.parseString(Files.readString(out.resolve("training.json"))).getAsJsonObject()
        .getAsJsonObject("options");
    assertEquals(JsonParser.parseString("{\"finding_regions\": {\"effusion\": 2}, \"region_weight\": 1.0,"
        + " \"crops\": {\"epochs\": 1, \"per_volume\": 2, \"size\": [2, 8, 8]}}"), options);
    List<ModelSpaceScan> scans = load(m, new int[] {2});
    FindingTable table = FindingTable.read(data.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    try (ClassifierTrainer t = new ClassifierTrainer(config(),
            classifierArgs().withHead("classmap").withConvs(2),
            ClassifierOptions.DEFAULTS.withCrops(new FindingCrops(1, 2, 2, 8, 8)));
        VolumeModel loaded = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      t.fit(TrainingSets.labelled(scans, 4, 0f, table, new int[] {1, 0, 0}), ProgressListener.NONE);
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        assertArrayEquals(forward(t, x), loaded.forward(x, false).toFloatArray(), 0f, s.id());
      }
    }

    String labels = data.resolve("labels.csv").toString();
    String[][] bad = {
      {"--crop-epochs", "2"},
      {"--head", "classmap", "--finding-region", "effusion=2", "--crop-size", "2", "8", "8"},
      {"--head", "classmap", "--finding-region", "effusion=2", "--crop-epochs", "1", "--crop-size", "2", "8", "7"},
      {"--head", "classmap", "--finding-region", "effusion=2", "--crop-epochs", "1", "--crop-size", "2", "8", "32"},
      {"--head", "classmap", "--finding-region", "effusion=2", "--crop-epochs", "1", "--crops-per-volume", "0"},
    };
    String[] message = {"--crop-epochs needs --finding-region", "--crop-size needs --crop-epochs",
      "each must be a multiple of 2", "fit in the training volumes of 4x16x16", "must be at least 1"};
    for (int i = 0; i < bad.length; i++) {
      Path o = tmp.resolve("bad-crop-" + i);
      List<String> a = new ArrayList<>(List.of("--labels", labels));
      a.addAll(List.of(bad[i]));
      Run r = run(args("classifier", o, a.toArray(new String[0])));
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(message[i]), i + ": " + r.err());
      assertTrue(!Files.exists(o), "no partial output");
    }
  }

  @Test
  void perOutputTrunksLeaveTheOtherOutputsUntouchedByCropEpochs() throws Exception {
    // One epoch, all of it on crops that teach only the effusion output: with a trunk per output the
    // other two outputs must come out of training exactly as they went in (their trunks receive no
    // gradient), while effusion changes. With a shared trunk all three would move.
    Path out = tmp.resolve("cls-trunks");
    trainAndCheckManifest("classifier", out, "--labels", data.resolve("labels.csv").toString(), "--head",
        "classmap", "--trunk", "per-output", "--finding-region", "effusion=2", "--crop-epochs", "1",
        "--crops-per-volume", "2", "--crop-size", "2", "8", "8");
    ModelManifest m = ModelManifest.read(out);
    List<ModelSpaceScan> scans = load(m, null);
    try (ClassifierTrainer untrained = new ClassifierTrainer(config(),
            classifierArgs().withHead("classmap").withTrunk("per-output"),
            ClassifierOptions.DEFAULTS.withCrops(new FindingCrops(1, 2, 2, 8, 8)));
        VolumeModel trained = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      for (ModelSpaceScan s : scans) {
        NDArray x = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        float[] before = forward(untrained, x);
        float[] after = trained.forward(x, false).toFloatArray();
        assertTrue(before[0] != after[0], "effusion was trained: " + s.id());
        assertEquals(before[1], after[1], 0f, "cardiomegaly untouched: " + s.id());
        assertEquals(before[2], after[2], 0f, "nodule untouched: " + s.id());
      }
    }
    Path bad = tmp.resolve("bad-trunk");
    Run r = run(args("classifier", bad, "--labels", data.resolve("labels.csv").toString(), "--trunk", "both"));
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("trunk") && r.err().contains("per-output"), r.err());
    assertTrue(!Files.exists(bad), "no partial output");
  }

  @Test
  void initFromStartsFromTheGivenModelsWeights() throws Exception {
    String labels = data.resolve("labels.csv").toString();
    Path first = tmp.resolve("cls-first");
    trainAndCheckManifest("classifier", first, "--labels", labels);
    // The same run again, started from the first model: equal to the library trainer started there.
    Path second = tmp.resolve("cls-second");
    ModelManifest m = trainAndCheckManifest("classifier", second, "--labels", labels, "--init-from", first.toString());
    assertEquals(first.toString(), JsonParser.parseString(Files.readString(second.resolve("training.json")))
        .getAsJsonObject().get("init_from").getAsString());
    List<ModelSpaceScan> scans = load(m, null);
    FindingTable table = FindingTable.read(data.resolve("labels.csv"), FindingTable.PHANTOM_FINDINGS);
    try (ClassifierTrainer fresh = new ClassifierTrainer(config(), classifierArgs());
        ClassifierTrainer started = new ClassifierTrainer(config(), classifierArgs());
        VolumeModel firstModel = Models.loadVolumeModel(first, Device.cpu());
        VolumeModel secondModel = Models.loadVolumeModel(second, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      started.startFrom(first);
      NDArray x = nd.create(scans.get(0).values(), new Shape(1, 1, 4, 16, 16));
      assertArrayEquals(firstModel.forward(x, false).toFloatArray(), forward(started, x), 0f,
          "before training, the network is the first model");
      assertTrue(forward(fresh, x)[0] != forward(started, x)[0], "and not the random initialisation");
      started.fit(TrainingSets.labelled(scans, 4, 0f, table, new int[3]), ProgressListener.NONE);
      for (ModelSpaceScan s : scans) {
        NDArray v = nd.create(s.values(), new Shape(1, 1, 4, 16, 16));
        assertArrayEquals(forward(started, v), secondModel.forward(v, false).toFloatArray(), 0f, s.id());
      }
    }
    // Without the architecture options, the --init-from model's are used: the same run as the second.
    Path third = tmp.resolve("cls-third");
    List<String> bare = args("classifier", third, "--labels", labels, "--init-from", first.toString());
    int options = bare.indexOf("--base-channels");
    bare.subList(options, options + 4).clear(); // --base-channels 2 --levels 2
    assertTrue(!bare.contains("--levels"), bare.toString());
    Run thirdRun = run(bare);
    assertEquals(0, thirdRun.code(), thirdRun.err());
    try (VolumeModel secondModel = Models.loadVolumeModel(second, Device.cpu());
        VolumeModel thirdModel = Models.loadVolumeModel(third, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      NDArray x = nd.create(scans.get(1).values(), new Shape(1, 1, 4, 16, 16));
      assertArrayEquals(secondModel.forward(x, false).toFloatArray(), thirdModel.forward(x, false).toFloatArray(), 0f);
    }
    // Another architecture: refused, naming the model, before any output.
    Path bad = tmp.resolve("cls-bad-init");
    Run r = run(args("classifier", bad, "--labels", labels, "--head", "max", "--init-from", first.toString()));
    assertTrue(r.code() != 0, r.err());
    assertTrue(r.err().contains(first.toString()) && r.err().contains("cannot start from"), r.err());
    assertTrue(!Files.exists(bad), "no partial output");
    Run kind = run(args("autoencoder", bad, "--init-from", first.toString()));
    assertTrue(kind.code() != 0);
    assertTrue(kind.err().contains("cannot start a slice-ae from this model: it is a classifier3d"), kind.err());
    assertTrue(!Files.exists(bad), "no partial output");
  }

  @Test
  void segmenterModelLoadsAndMatchesTheSameTrainingThroughTheLibrary() throws Exception {
    Path out = tmp.resolve("seg");
    ModelManifest m = trainAndCheckManifest("segmenter", out);
    assertEquals(ModelManifest.Kind.SEGMENTER, m.kind());
    assertEquals(List.of("background", "lung"), m.outputs());
    assertEquals("lung", m.scoreClass());

    List<ModelSpaceScan> scans = load(m, new int[] {1});
    try (SegmenterTrainer t = new SegmenterTrainer(config(), Segmenter3d.DEFAULTS.withBaseChannels(2).withLevels(2).withClasses(2));
        VolumeModel loaded = Models.loadVolumeModel(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      t.fit(TrainingSets.segmented(scans, 4, 0f, List.of("background", "lung")), ProgressListener.NONE);
      NDArray x = nd.create(scans.get(1).values(), new Shape(1, 1, 4, 16, 16));
      assertArrayEquals(forward(t, x), loaded.forward(x, false).toFloatArray(), 0f);
    }
  }

  @Test
  void autoencoderModelLoadsAndMatchesTheSameTrainingThroughTheLibrary() throws Exception {
    Path out = tmp.resolve("ae");
    ModelManifest m = trainAndCheckManifest("autoencoder", out, "--latent-channels", "3", "--decoder-kernel", "1");
    assertEquals(ModelManifest.Kind.AUTOENCODER, m.kind());
    assertEquals(3, m.architectureArgs(SliceAe.class).latentChannels());
    assertEquals(1, m.architectureArgs(SliceAe.class).decoderKernel());
    // The kept epoch's validation PSNR becomes the manifest's held-out figure (what explain compares with).
    JsonObject record = JsonParser.parseString(Files.readString(out.resolve("training.json"))).getAsJsonObject();
    int kept = record.get("selected_epoch").getAsInt();
    double psnr = record.getAsJsonArray("history").get(kept - 1).getAsJsonObject().getAsJsonObject("metrics")
        .get("psnr").getAsDouble();
    assertEquals(psnr, m.heldOutPsnrDb(), 0.005);

    List<ModelSpaceScan> scans = load(m, null);
    try (AutoencoderTrainer t = new AutoencoderTrainer(config(),
            SliceAe.DEFAULTS.withBaseChannels(2).withLevels(2).withLatentChannels(3)
                .withDecoderKernel(1), 0);
        SliceAutoencoder loaded = Models.loadAutoencoder(out, Device.cpu());
        NDManager nd = NDManager.newBaseManager()) {
      t.fit(TrainingSets.slices(scans), ProgressListener.NONE);
      NDArray x = nd.create(scans.get(0).values(), new Shape(4, 1, 16, 16));
      assertArrayEquals(forward(t, x), loaded.decode(loaded.encode(x), false).toFloatArray(), 0f);
    }
  }

  @Test
  void badCommandLinesAndTablesFailWithAClearMessage() throws Exception {
    Run r = run(args("classifier", tmp.resolve("x"), "--labels", data.resolve("labels.csv").toString(), "--resume"));
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--checkpoints"), r.err());

    Path csv = tmp.resolve("bad.csv");
    Files.writeString(csv, "id,effusion\nt0,1\n");
    r = run(args("classifier", tmp.resolve("y"), "--labels", csv.toString()));
    assertEquals(1, r.code());
    assertTrue(r.err().contains(csv + ": no column for target 'cardiomegaly'"), r.err());
    assertTrue(!Files.exists(tmp.resolve("y")), "no partial output");

    r = run(List.of("train", "autoencoder", "--data", tmp.resolve("absent").toString(), "--out",
        tmp.resolve("z").toString()));
    assertEquals(3, r.code());
    assertTrue(r.err().contains("absent: no such file or folder"), r.err());
  }
}
