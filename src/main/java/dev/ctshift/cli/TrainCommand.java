package dev.ctshift.cli;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.djl.Architecture;
import dev.ctshift.model.djl.CombinedClassifier;
import dev.ctshift.report.StagedOutput;
import dev.ctshift.train.AutoencoderTrainer;
import dev.ctshift.train.ClassifierTrainer;
import dev.ctshift.train.ConsoleProgress;
import dev.ctshift.train.DemoEvaluation;
import dev.ctshift.train.FindingCrops;
import dev.ctshift.train.GradientPenalty;
import dev.ctshift.train.NetworkTrainer;
import dev.ctshift.train.ProgressListener;
import dev.ctshift.train.SegmenterTrainer;
import dev.ctshift.train.TrainConfig;
import dev.ctshift.train.VolumeDataset;
import dev.ctshift.train.data.FindingTable;
import dev.ctshift.train.data.ModelSpaceLoader;
import dev.ctshift.train.data.ModelSpaceScan;
import dev.ctshift.train.data.Reconstructions;
import dev.ctshift.train.data.ScanFiles;
import dev.ctshift.train.data.TrainingSets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code ctshift train autoencoder|classifier|segmenter}: loads NIfTI scans from folders, brings
 * them into the model's input space as {@code ctshift explain} will, trains a DJL-native network and
 * writes a model directory ({@code model.json}, weights, {@code training.json}).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    header = "Train ctshift's own models (DJL) on folders of NIfTI scans.",
    description = {
      "",
      "Scans are found recursively in the --data folders (*.nii, *.nii.gz; files named",
      "*_labels.nii[.gz] are label maps, not scans). Each is reoriented, resampled,",
      "windowed and padded/cropped exactly as 'ctshift explain' will do with the saved",
      "model.json. The result loads in 'ctshift explain' like a TorchScript model.",
      ""
    },
    subcommands = {TrainCommand.Autoencoder.class, TrainCommand.Classifier.class,
        TrainCommand.Segmenter.class, TrainCommand.Combine.class, TrainCommand.Evaluate.class,
        TrainCommand.ChangeShare.class})
public final class TrainCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name what to train: autoencoder, classifier or segmenter");
  }

  /** Options every kind of model shares: data, input geometry, optimisation, architecture. */
  static final class Shared {
    @Option(names = "--data", required = true, paramLabel = "DIR",
        description = "Folder of NIfTI scans, searched recursively (repeatable).")
    List<Path> data;

    @Option(names = "--out", required = true, paramLabel = "MODELDIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--name", description = "Model name in model.json. Default: the --out folder name.")
    String name;

    @Option(names = "--orientation", defaultValue = "RAS", paramLabel = "CODES",
        description = "Voxel axes of the model input. Default: ${DEFAULT-VALUE}.")
    String orientation;

    @Option(names = "--spacing-mm", arity = "3", paramLabel = "MM",
        description = "Voxel size of the model input along i, j, k. Default: 6 6 6.")
    double[] spacingMm = {6, 6, 6};

    @Option(names = "--size", arity = "2", paramLabel = "N",
        description = "In-plane size H W of the model input (padded/cropped). Default: 64 64.")
    int[] size = {64, 64};

    @Option(names = "--hu-window", arity = "2", paramLabel = "HU",
        description = "HU window mapped onto 0..1 (clipped). Default: -1000 1000.")
    double[] huWindow = {-1000, 1000};

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "8", description = "Samples per step. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--seed", defaultValue = "0",
        description = "Seeds weights, split and shuffles: a run repeats exactly. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--val-fraction", defaultValue = "0.2",
        description = "Share of the samples held out for validation each epoch. Default: ${DEFAULT-VALUE}.")
    double valFraction;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "Write a checkpoint here after every epoch.")
    Path checkpoints;

    @Option(names = "--resume", description = "Continue from the checkpoint in --checkpoints, if there is one.")
    boolean resume;

    @Option(names = "--keep-best",
        description = "Save the weights of the epoch with the best validation metric (classifier: mean ROC"
            + " AUC; autoencoder: PSNR; segmenter: mean Dice) instead of the last epoch's: early stopping"
            + " without guessing the epoch count. The chosen epoch goes into training.json.")
    boolean keepBest;

    @Option(names = "--init-from", paramLabel = "MODELDIR",
        description = "Start from the weights of this model (a ctshift-trained model folder) instead of random"
            + " ones: fine-tuning, e.g. of a bundled model on your own scans. Its architecture options are the"
            + " defaults (options given must agree with them). A checkpoint given with --resume still takes"
            + " precedence.")
    Path initFrom;

    @Option(names = "--base-channels", paramLabel = "N", description = "Channels of the first level.")
    Integer baseChannels;

    @Option(names = "--levels", paramLabel = "N", description = "Resolution levels of the network.")
    Integer levels;

    @Option(names = "--head", paramLabel = "POOLING",
        description = "Classifier only: how features become outputs: avg or max (global pooling, then a linear"
            + " layer), avgmax (both side by side; helps small findings such as nodules) or classmap (one"
            + " evidence map per output, pooled by a smooth maximum: an output is its strongest local"
            + " evidence). Default: avg.")
    String head;

    @Option(names = "--threads", paramLabel = "N",
        description = "Scans read and preprocessed in parallel. Default: the number of processors.")
    Integer threads;

    /** Set by the command that mixes these options in (picocli mixins do not nest their specs). */
    CommonOptions common;

    /** Slices the saved model needs at least (written as input.min_depth when above 1). */
    int minDepth = 1;
    /** Set by the classifier command from --adversarial-l2 (0: plain training). */
    double adversarialL2;
    /** Kind-specific training settings for training.json (e.g. finding regions, crops); may stay empty. */
    final JsonObject trainingOptions = new JsonObject();

    ModelManifest.Input input() {
      return new ModelManifest.Input(orientation, spacingMm.clone(), size.clone(), huWindow.clone(),
          new double[] {0, 1}, ModelManifest.Layout.NCDHW, 1, 1);
    }

    /** The manifest entries the command sets: name and the input geometry. */
    JsonObject manifestFields() {
      JsonObject f = new JsonObject();
      f.addProperty("name", modelName(name, out));
      JsonObject in = new JsonObject();
      in.addProperty("orientation", orientation);
      in.add("spacing_mm", numbers(spacingMm));
      in.add("size", numbers(size[0], size[1]));
      in.add("hu_window", numbers(huWindow));
      in.add("range", numbers(0, 1));
      if (minDepth > 1) {
        in.addProperty("min_depth", minDepth);
      }
      f.add("input", in);
      return f;
    }

    /**
     * The architecture options given, over those of the --init-from model if any (so that fine-tuning
     * needs no repeated options).
     *
     * @throws CtShiftException if the --init-from model cannot be read or is another architecture
     */
    JsonObject architectureArgs(Architecture architecture) throws CtShiftException {
      JsonObject a = new JsonObject();
      if (initFrom != null) {
        ModelManifest m = ModelManifest.read(initFrom);
        if (!architecture.id().equals(m.architecture())) {
          throw new CtShiftException(initFrom + ": cannot start a " + architecture.id() + " from this model: it is "
              + (m.architecture() == null ? "not a ctshift-trained model" : "a " + m.architecture()));
        }
        a = m.architectureArgs().deepCopy();
      }
      if (baseChannels != null) {
        a.addProperty("base_channels", baseChannels);
      }
      if (levels != null) {
        a.addProperty("levels", levels);
      }
      if (head != null) {
        a.addProperty("head", head);
      }
      return a;
    }

    TrainConfig config(CommandLine cl) throws CtShiftException {
      Device device = TorchRuntime.parseDevice(common.device);
      try {
        return TrainConfig.builder().epochs(epochs).batchSize(batchSize).learningRate(learningRate).seed(seed)
            .validationFraction(valFraction).checkpointDir(checkpoints).resume(resume).keepBest(keepBest)
            .adversarialL2(adversarialL2).device(device).build();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, e.getMessage()
            + (resume && checkpoints == null ? " (give --checkpoints DIR with --resume)" : ""));
      }
    }

    /** Finds and loads the scans, with the label codes' maps if not null. */
    List<ModelSpaceScan> load(CommandLine cl, int[] labelCodes) throws CtShiftException {
      validateGeometry(cl);
      List<Path> files = ScanFiles.find(data);
      common.progress().accept("found " + files.size() + " scans in " + data);
      int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      if (n < 1) {
        throw new ParameterException(cl, "--threads must be >= 1, got " + n);
      }
      return new ModelSpaceLoader(input(), n).load(files, labelCodes, common.progress());
    }

    private void validateGeometry(CommandLine cl) {
      try {
        dev.ctshift.volume.Orientation.validate(orientation);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, "--orientation: " + e.getMessage());
      }
      for (double s : spacingMm) {
        if (!(s > 0) || Double.isInfinite(s)) {
          throw new ParameterException(cl, "--spacing-mm needs three positive numbers");
        }
      }
      if (size[0] < 1 || size[1] < 1) {
        throw new ParameterException(cl, "--size needs two positive integers");
      }
      if (!(huWindow[1] > huWindow[0])) {
        throw new ParameterException(cl, "--hu-window must be LOW HIGH with LOW < HIGH");
      }
    }

    /** Trains, saves the model and its training record, and prints the last epoch. */
    <D> void fitAndSave(CommandLine cl, NetworkTrainer<D> trainer, D dataset, String what)
        throws CtShiftException {
      PrintWriter err = cl.getErr();
      ProgressListener listener = common.quiet ? ProgressListener.NONE : new ConsoleProgress(err);
      if (initFrom != null) {
        trainer.startFrom(initFrom);
        common.progress().accept("starting from the weights of " + initFrom);
      }
      long start = System.nanoTime();
      List<ProgressListener.EpochReport> history;
      try {
        history = trainer.fit(dataset, listener);
      } catch (IllegalArgumentException e) {
        throw new CtShiftException("cannot train on this data: " + e.getMessage(), e);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      ProgressListener.EpochReport kept = history.stream().filter(r -> r.epoch() == trainer.selectedEpoch())
          .findFirst().orElseThrow();
      JsonObject fields = manifestFields();
      Double psnr = kept.metrics().get("psnr");
      if (trainer instanceof dev.ctshift.train.AutoencoderTrainer && psnr != null && Double.isFinite(psnr)) {
        // What explain compares each scan's reconstruction with (pipeline.ReconstructionCheck).
        fields.addProperty("heldout_psnr_db", Math.round(psnr * 100) / 100.0);
      }
      trainer.save(out, fields);
      writeRecord(history, seconds, what, trainer);
      cl.getOut().printf(Locale.ROOT, "trained %s in %.0f s: %sepoch %d loss %.5f%s; model in %s%n",
          what, seconds, keepBest ? "best " : "", kept.epoch(), kept.trainLoss(), metricsText(kept), out);
      cl.getOut().flush();
    }

    private void writeRecord(List<ProgressListener.EpochReport> history, double seconds, String what,
        NetworkTrainer<?> trainer) throws CtShiftException {
      JsonObject r = new JsonObject();
      r.addProperty("trained", what);
      r.addProperty("version", VersionProvider.version());
      r.addProperty("seconds", Math.round(seconds * 10) / 10.0);
      JsonArray dirs = new JsonArray();
      data.forEach(d -> dirs.add(d.toString()));
      r.add("data", dirs);
      if (initFrom != null) {
        r.addProperty("init_from", initFrom.toString());
      }
      JsonObject c = new JsonObject();
      TrainConfig config = trainer.config();
      c.addProperty("epochs", config.epochs());
      c.addProperty("batch_size", config.batchSize());
      c.addProperty("learning_rate", config.learningRate());
      c.addProperty("seed", config.seed());
      c.addProperty("validation_fraction", config.validationFraction());
      c.addProperty("device", config.device().toString());
      c.addProperty("keep_best", config.keepBest());
      if (config.adversarialL2() > 0) {
        c.addProperty("adversarial_l2", config.adversarialL2());
      }
      r.add("config", c);
      r.addProperty("selected_epoch", trainer.selectedEpoch());
      if (trainingOptions.size() > 0) {
        r.add("options", trainingOptions);
      }
      r.add("history", new GsonBuilder().serializeSpecialFloatingPointValues().create().toJsonTree(history));
      Path file = out.resolve("training.json");
      try {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create().toJson(r) + "\n", StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CtShiftException(file + ": cannot write: " + e.getMessage(), e);
      }
    }

    private static String metricsText(ProgressListener.EpochReport r) {
      StringBuilder s = new StringBuilder();
      r.metrics().forEach((k, v) -> s.append(String.format(Locale.ROOT, ", %s %.4f", k, v)));
      return s.toString();
    }
  }

  @Command(name = "autoencoder", mixinStandardHelpOptions = true, sortOptions = false,
      header = "Train a 2D slice autoencoder (slice-ae) on every axial slice of the scans.")
  static final class Autoencoder implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Shared shared;
    @Mixin CommonOptions common;

    @Option(names = "--latent-channels", paramLabel = "N", description = "Channels of the latent map.")
    Integer latentChannels;

    @Option(names = "--decoder-kernel", paramLabel = "N",
        description = "Odd kernel size of the decoder's convolutions below full resolution (default 3). "
            + "1 keeps a latent shift's change near where it acts: each latent cell then reaches only its "
            + "own patch and one voxel around it.")
    Integer decoderKernel;

    @Option(names = "--l1-weight", defaultValue = "0",
        description = "Weight of the L1 term added to the MSE loss. Default: ${DEFAULT-VALUE}.")
    double l1Weight;

    @Override
    public Integer call() throws CtShiftException {
      shared.common = common;
      TrainConfig config = shared.config(spec.commandLine());
      JsonObject args = shared.architectureArgs(Architecture.SLICE_AE);
      if (latentChannels != null) {
        args.addProperty("latent_channels", latentChannels);
      }
      if (decoderKernel != null) {
        args.addProperty("decoder_kernel", decoderKernel);
      }
      var slices = TrainingSets.slices(shared.load(spec.commandLine(), null));
      shared.common.progress().accept(slices.size() + " slices of " + slices.height() + "x" + slices.width());
      try (AutoencoderTrainer trainer = TrainCommand.newTrainer(spec.commandLine(),
          () -> new AutoencoderTrainer(config, args, l1Weight))) {
        shared.fitAndSave(spec.commandLine(), trainer, slices, "autoencoder");
      }
      return 0;
    }
  }

  @Command(name = "classifier", mixinStandardHelpOptions = true, sortOptions = false,
      header = "Train a multi-label 3D classifier (classifier3d) from a labels table.")
  static final class Classifier implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Shared shared;
    @Mixin CommonOptions common;

    @Option(names = "--labels", required = true, paramLabel = "CSV",
        description = "Table with an id column (the scan file name without .nii[.gz]) and one column per target"
            + " (t, has_t or t_count; > 0 is positive), e.g. labels.csv of 'ctshift phantom'.")
    Path labels;

    @Option(names = "--targets", split = ",", paramLabel = "NAME",
        description = "Outputs, in order. Default: effusion,cardiomegaly,nodule.")
    List<String> targets = new ArrayList<>(FindingTable.PHANTOM_FINDINGS);

    @Option(names = "--depth", paramLabel = "SLICES",
        description = "Slices per training volume after preprocessing (others are cropped/padded about the"
            + " middle). Default: the most common depth.")
    Integer depth;

    @Option(names = "--convs", paramLabel = "N",
        description = "Convolutions per resolution level. Default: 1.")
    Integer convs;

    @Option(names = "--trunk", paramLabel = "KIND",
        description = "shared: one convolutional trunk for all outputs; per-output: a separate trunk for each"
            + " output; or group sizes of consecutive --targets, e.g. 2+1: effusion and cardiomegaly share one"
            + " trunk, nodule has its own. Each trunk costs the weights and compute of a whole network; training"
            + " one group, e.g. on --crop-epochs crops, does not change what the others have learnt."
            + " Default: shared.")
    String trunk;

    @Option(names = "--finding-region", paramLabel = "TARGET=CODE",
        description = "Also teach TARGET's evidence map where its finding is: the voxels of value CODE in the"
            + " <id>_labels.nii.gz beside each scan (repeatable; needs --head classmap), e.g. effusion=2,"
            + " nodule=4 for phantoms. Its strongest evidence then lies on the finding (on the phantoms this"
            + " did not make its gradient, or its counterfactuals, more local: models/PHANTOM-MODELS.md).")
    java.util.LinkedHashMap<String, Integer> regions = new java.util.LinkedHashMap<>();

    @Option(names = "--region-weight", defaultValue = "1", paramLabel = "W",
        description = "Weight of the evidence-map loss of --finding-region. Default: ${DEFAULT-VALUE}.")
    double regionWeight;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "E",
        description = "Train toward E/2 and 1 - E/2 instead of 0 and 1, so that confident outputs do not"
            + " saturate (a latent shift stalls on a saturated score). Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    @Option(names = "--adversarial-l2", defaultValue = "0", paramLabel = "EPS",
        description = "Adversarial training: move every training batch by EPS (L2 length per scan, in model"
            + " units, i.e. windowed to 0..1) up the gradient of the loss before each step. It makes a"
            + " classifier robust to small changes; that it also makes its gradient, and so its"
            + " counterfactuals, point at the finding did not hold on the phantoms (docs/training.md)."
            + " Costs a second pass per step; works best as fine-tuning (--init-from)."
            + " Default: ${DEFAULT-VALUE} (off).")
    double adversarialL2;

    @Option(names = "--gradient-penalty", defaultValue = "0", paramLabel = "W",
        description = "Teach each --finding-region output to take its evidence from its finding: on scans that"
            + " have the finding, add W times the squared gradient of the output's logit with respect to the"
            + " voxels outside it (farther than --gradient-margin) to the loss (input-gradient"
            + " regularisation, \"right for the right reasons\"). With --region-weight 0 the regions serve"
            + " this penalty alone. Costs about 3 times the time per step. On the phantoms' effusion the"
            + " sum lost the finding or flattened the network; --gradient-penalty-share worked"
            + " (models/PHANTOM-MODELS.md). Default: ${DEFAULT-VALUE} (off).")
    double gradientPenalty;

    @Option(names = "--gradient-margin", defaultValue = "1", paramLabel = "VOXELS",
        description = "Model voxels around the finding where --gradient-penalty leaves the gradient free."
            + " Default: ${DEFAULT-VALUE}.")
    int gradientMargin;

    @Option(names = "--gradient-penalty-share",
        description = "Make --gradient-penalty W times the share of the squared gradient that lies outside the"
            + " finding (per scan), instead of its sum: scaling the gradient does not change a share, so the"
            + " network cannot meet it by going flat, only by taking its evidence from the finding.")
    boolean gradientPenaltyShare;

    @Option(names = "--crop-epochs", paramLabel = "N",
        description = "Train the first N epochs on crops of --crop-size, half of them around a --finding-region"
            + " voxel, the rest placed at random: a finding of a few voxels is found in crops when whole"
            + " volumes alone never teach it (models/PHANTOM-MODELS.md). Later epochs see whole volumes.")
    Integer cropEpochs;

    @Option(names = "--crops-per-volume", defaultValue = "8", paramLabel = "N",
        description = "Crops drawn from each training volume per --crop-epochs epoch. Default: ${DEFAULT-VALUE}.")
    int cropsPerVolume;

    @Option(names = "--crop-size", arity = "3", paramLabel = "VOXELS",
        description = "Depth, height and width of the --crop-epochs crops in model voxels, each a multiple of"
            + " 2^(levels-1). Default: half the training volume per axis, rounded down to that multiple.")
    int[] cropSize;

    @Option(names = "--add-reconstructions", paramLabel = "AE_DIR",
        description = "Train on each scan and also on its reconstruction by this slice autoencoder (same labels"
            + " and finding regions; the autoencoder must have this training's geometry). A latent shift"
            + " starts from the reconstruction, so a classifier that scores it like the scan explains the scan"
            + " itself (the reconstruction gap of ctshift evaluate and train evaluate). Doubles the volumes per"
            + " epoch.")
    Path reconstructionAutoencoder;

    @Override
    public Integer call() throws CtShiftException {
      shared.common = common;
      shared.adversarialL2 = adversarialL2;
      TrainConfig config = shared.config(spec.commandLine());
      JsonObject args = shared.architectureArgs(Architecture.CLASSIFIER_3D);
      args.addProperty("outputs", targets.size());
      if (convs != null) {
        args.addProperty("convs", convs);
      }
      if (trunk != null) {
        args.addProperty("trunk", trunk);
      }
      int levels;
      try {
        levels = Architecture.CLASSIFIER_3D.withDefaults(args).get("levels").getAsInt();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage()); // before the scans are read
      }
      int[] regionClass = regionClasses(spec.commandLine());
      int[] codes = regions.isEmpty() ? null : regions.values().stream().mapToInt(Integer::intValue).toArray();
      FindingTable table = FindingTable.read(labels, targets);
      checkReconstructionGeometry(); // before the scans are read
      List<ModelSpaceScan> scans = withReconstructions(config, shared.load(spec.commandLine(), codes));
      int d = TrainCommand.depth(spec.commandLine(), depth, scans, shared);
      var data = TrainingSets.labelled(scans, d, 0f, table, regionClass);
      // Each pooling level halves the depth: a shorter scan is padded to this many slices.
      shared.minDepth = 1 << (levels - 1);
      FindingCrops crops = crops(spec.commandLine(), data.volumes(), levels);
      GradientPenalty penalty = gradientPenalty(spec.commandLine());
      record(regions, crops, penalty);
      try (ClassifierTrainer trainer = TrainCommand.newTrainer(spec.commandLine(),
          () -> new ClassifierTrainer(config, args, regionWeight, crops, labelSmoothing, penalty))) {
        shared.fitAndSave(spec.commandLine(), trainer, data, "classifier " + targets);
      }
      return 0;
    }

    /** {@code scans} and, with --add-reconstructions, their reconstructions after them. */
    private List<ModelSpaceScan> withReconstructions(TrainConfig config, List<ModelSpaceScan> scans)
        throws CtShiftException {
      if (reconstructionAutoencoder == null) {
        return scans;
      }
      TorchRuntime.start(config.device(), shared.common.notices());
      try (SliceAutoencoder ae = Models.loadAutoencoder(reconstructionAutoencoder, config.device())) {
        shared.common.progress().accept("reconstructing " + scans.size() + " scans with " + reconstructionAutoencoder);
        shared.trainingOptions.addProperty("add_reconstructions", reconstructionAutoencoder.toString());
        return Reconstructions.appended(scans, ae, config.device(), shared.common.progress());
      }
    }

    /** --add-reconstructions must name an autoencoder of this training's input geometry. */
    private void checkReconstructionGeometry() throws CtShiftException {
      if (reconstructionAutoencoder == null) {
        return;
      }
      ModelManifest.Input want = shared.input();
      ModelManifest.Input got = ModelManifest.read(reconstructionAutoencoder).input();
      if (!want.orientation().equals(got.orientation()) || !Arrays.equals(want.spacingMm(), got.spacingMm())
          || !Arrays.equals(want.size(), got.size()) || !Arrays.equals(want.huWindow(), got.huWindow())
          || !Arrays.equals(want.range(), got.range())) {
        throw new ParameterException(spec.commandLine(), "--add-reconstructions " + reconstructionAutoencoder
            + ": its input geometry (" + geometry(got) + ") differs from this training's (" + geometry(want) + ")");
      }
    }

    private static String geometry(ModelManifest.Input in) {
      return String.format(Locale.ROOT, "%s, %s mm, %s, HU %s", in.orientation(), Arrays.toString(in.spacingMm()),
          Arrays.toString(in.size()), Arrays.toString(in.huWindow()));
    }

    /** The --gradient-penalty, checked against the other options. */
    private GradientPenalty gradientPenalty(CommandLine cl) {
      GradientPenalty penalty;
      try {
        penalty = new GradientPenalty(gradientPenalty, gradientMargin, gradientPenaltyShare);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, "--gradient-penalty/--gradient-margin: " + e.getMessage());
      }
      if (gradientPenaltyShare && !penalty.active()) {
        throw new ParameterException(cl, "--gradient-penalty-share needs --gradient-penalty W (above 0)");
      }
      if (penalty.active() && regions.isEmpty()) {
        throw new ParameterException(cl, "--gradient-penalty needs --finding-region (where the evidence belongs)");
      }
      return penalty;
    }

    /** The finding regions, crops and penalty, if any, go into training.json: model.json does not hold them. */
    private void record(java.util.Map<String, Integer> regions, FindingCrops crops, GradientPenalty penalty) {
      JsonObject o = shared.trainingOptions;
      if (!regions.isEmpty()) {
        JsonObject r = new JsonObject();
        regions.forEach(r::addProperty);
        o.add("finding_regions", r);
        o.addProperty("region_weight", regionWeight);
      }
      if (labelSmoothing != 0) {
        o.addProperty("label_smoothing", labelSmoothing);
      }
      if (penalty.active()) {
        JsonObject g = new JsonObject();
        g.addProperty("weight", penalty.weight());
        g.addProperty("margin_voxels", penalty.margin());
        if (penalty.relative()) {
          g.addProperty("form", "share");
        }
        o.add("gradient_penalty", g);
      }
      if (crops != null) {
        JsonObject c = new JsonObject();
        c.addProperty("epochs", crops.epochs());
        c.addProperty("per_volume", crops.perVolume());
        JsonArray size = new JsonArray();
        size.add(crops.depth());
        size.add(crops.height());
        size.add(crops.width());
        c.add("size", size);
        o.add("crops", c);
      }
    }

    /** The --crop-epochs crops, or null; sizes default to half the volume in multiples of the pooling. */
    private FindingCrops crops(CommandLine cl, VolumeDataset volumes, int levels) {
      if (cropEpochs == null) {
        return null;
      }
      int multiple = 1 << (levels - 1);
      int[] full = {volumes.depth(), volumes.height(), volumes.width()};
      int[] size = new int[3];
      for (int a = 0; a < 3; a++) {
        size[a] = cropSize != null ? cropSize[a] : Math.max(multiple, full[a] / 2 / multiple * multiple);
        if (size[a] % multiple != 0 || size[a] > full[a]) {
          throw new ParameterException(cl, "--crop-size " + size[0] + " " + size[1] + " " + size[2] + ": each must be"
              + " a multiple of " + multiple + " (" + levels + " levels) and fit in the training volumes of "
              + full[0] + "x" + full[1] + "x" + full[2]);
        }
      }
      try {
        return new FindingCrops(cropEpochs, cropsPerVolume, size[0], size[1], size[2]);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, "--crop-epochs/--crops-per-volume/--crop-size: " + e.getMessage());
      }
    }

    /** Per target, the class index of its --finding-region code in the loaded label maps, or 0. */
    private int[] regionClasses(CommandLine cl) {
      int[] regionClass = new int[targets.size()];
      int c = 0;
      for (String target : regions.keySet()) {
        int k = targets.indexOf(target);
        if (k < 0) {
          throw new ParameterException(cl, "--finding-region " + target + ": not one of --targets " + targets);
        }
        regionClass[k] = ++c;
      }
      if (cropEpochs == null && cropSize != null) {
        throw new ParameterException(cl, "--crop-size needs --crop-epochs");
      }
      if (cropEpochs != null && regions.isEmpty()) {
        throw new ParameterException(cl, "--crop-epochs needs --finding-region (the crops are placed around it)");
      }
      if (!regions.isEmpty() && !"classmap".equals(shared.head)) {
        throw new ParameterException(cl, "--finding-region needs --head classmap (one evidence map per output)");
      }
      return regionClass;
    }
  }

  @Command(name = "segmenter", mixinStandardHelpOptions = true, sortOptions = false,
      header = "Train a 3D segmenter (segmenter3d) from <id>_labels.nii.gz label maps.")
  static final class Segmenter implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin Shared shared;
    @Mixin CommonOptions common;

    @Option(names = "--class", paramLabel = "NAME=CODE",
        description = "A class to segment and its value in the label maps (repeatable; all other values are"
            + " background). Default: lung=1 (aerated lung of the phantoms; effusion, 2, is not lung).")
    java.util.LinkedHashMap<String, Integer> classes;

    @Option(names = "--depth", paramLabel = "SLICES",
        description = "Slices per training volume after preprocessing (others are cropped/padded about the"
            + " middle). Default: the most common depth.")
    Integer depth;

    @Override
    public Integer call() throws CtShiftException {
      shared.common = common;
      TrainConfig config = shared.config(spec.commandLine());
      java.util.Map<String, Integer> wanted = classes != null ? classes : java.util.Map.of("lung", 1);
      List<String> names = new ArrayList<>(List.of("background"));
      names.addAll(wanted.keySet());
      int[] codes = wanted.values().stream().mapToInt(Integer::intValue).toArray();
      JsonObject args = shared.architectureArgs(Architecture.SEGMENTER_3D);
      args.addProperty("classes", names.size());
      List<ModelSpaceScan> scans = shared.load(spec.commandLine(), codes);
      int d = TrainCommand.depth(spec.commandLine(), depth, scans, shared);
      var data = TrainingSets.segmented(scans, d, 0f, names);
      try (SegmenterTrainer trainer = TrainCommand.newTrainer(spec.commandLine(),
          () -> new SegmenterTrainer(config, args))) {
        shared.fitAndSave(spec.commandLine(), trainer, data, "segmenter " + names.subList(1, names.size()));
      }
      return 0;
    }
  }

  @Command(name = "combine", mixinStandardHelpOptions = true, sortOptions = false,
      header = "Assemble one classifier from chosen outputs of trained classifiers.",
      description = {
        "",
        "Each --part becomes a separate trunk of the new classifier, with that model's weights",
        "and only its chosen outputs, so every output scores exactly as in the model it came",
        "from. Use it to keep a finding from the network that learns it best, e.g.",
        "",
        "  ctshift train combine --part models/phantom-classifier:effusion,cardiomegaly \\",
        "    --part nodule-model:nodule --out my-classifier",
        "",
        "Parts must be ctshift-trained shared-trunk classifiers with the same input geometry,",
        "activation, threshold and network shape (--base-channels, --levels, --convs, --head).",
        ""
      })
  static final class Combine implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--part", required = true, paramLabel = "MODELDIR[:OUTPUT[,OUTPUT...]]",
        description = "A classifier and the outputs to take from it, in order (all when none are named);"
            + " repeatable, the new classifier's outputs follow the parts' order.")
    List<String> parts;

    @Option(names = "--out", required = true, paramLabel = "MODELDIR",
        description = "Model directory to write (must not exist, or be empty).")
    Path out;

    @Option(names = "--name", description = "Model name in model.json. Default: the --out folder name.")
    String name;

    @Override
    public Integer call() throws CtShiftException {
      List<CombinedClassifier.Part> chosen = new ArrayList<>();
      for (String p : parts) {
        chosen.add(part(p));
      }
      if (Files.exists(out) && !isEmptyDirectory(out)) {
        throw new CtShiftException(out + ": already exists and is not an empty folder; choose a new --out");
      }
      TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
      String modelName = modelName(name, out);
      try (CombinedClassifier.Assembly a = CombinedClassifier.network(chosen, runtime.device())) {
        try (StagedOutput staged = StagedOutput.into(out)) {
          CombinedClassifier.save(a, staged.folder(), modelName);
          Files.writeString(staged.file("training.json"), new GsonBuilder().setPrettyPrinting()
              .serializeSpecialFloatingPointValues().create().toJson(record(chosen)) + "\n", StandardCharsets.UTF_8);
          staged.commit();
        }
        List<String> outputs = new ArrayList<>();
        a.manifestFields().getAsJsonArray("outputs").forEach(o -> outputs.add(o.getAsString()));
        spec.commandLine().getOut().printf(Locale.ROOT, "combined %s (trunk %s) into %s%n", String.join(", ", outputs),
            a.network().args().get("trunk").getAsString(), out);
      } catch (IOException e) {
        throw new CtShiftException(out + ": cannot write the model: " + e.getMessage(), e);
      }
      return 0;
    }

    private CombinedClassifier.Part part(String spec) {
      int colon = spec.lastIndexOf(':');
      String dir = colon < 0 ? spec : spec.substring(0, colon);
      List<String> outputs = colon < 0 ? List.of()
          : List.of(spec.substring(colon + 1).split(",", -1));
      if (dir.isEmpty() || outputs.stream().anyMatch(String::isBlank)) {
        throw new ParameterException(this.spec.commandLine(),
            "--part must be MODELDIR or MODELDIR:OUTPUT[,OUTPUT...], got '" + spec + "'");
      }
      return new CombinedClassifier.Part(Path.of(dir), outputs);
    }

    /** Where each output came from, with each part's own training record when it has one. */
    private static JsonObject record(List<CombinedClassifier.Part> chosen) throws IOException {
      JsonObject r = new JsonObject();
      r.addProperty("combined", "classifier");
      r.addProperty("version", VersionProvider.version());
      JsonArray parts = new JsonArray();
      for (CombinedClassifier.Part p : chosen) {
        JsonObject part = new JsonObject();
        part.addProperty("model", p.model().toString());
        JsonArray outputs = new JsonArray();
        p.outputs().forEach(outputs::add);
        part.add("outputs", outputs);
        Path training = p.model().resolve("training.json");
        if (Files.isRegularFile(training)) {
          part.add("training", com.google.gson.JsonParser.parseString(Files.readString(training)));
        }
        parts.add(part);
      }
      r.add("parts", parts);
      return r;
    }

    private static boolean isEmptyDirectory(Path dir) {
      try (var entries = Files.list(dir)) {
        return entries.findAny().isEmpty();
      } catch (IOException e) {
        return false;
      }
    }
  }

  @Command(name = "evaluate", hidden = true, mixinStandardHelpOptions = true,
      header = "Held-out figures of an autoencoder, classifier and segmenter (used by scripts/make_demo_models).",
      description = {"Autoencoder PSNR/SSIM; classifier ROC AUC per output with a 95% bootstrap interval (1000"
          + " resamples of the scans, seed 1), the nodule AUC by largest nodule (< 14, 14-18, >= 18 mm; from the"
          + " phantom column nodule_diameters_mm), AUC on autoencoder reconstructions and the reconstruction"
          + " gap; segmenter Dice; per-scan probabilities."})
  static final class Evaluate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--autoencoder", required = true, paramLabel = "DIR") Path autoencoder;
    @Option(names = "--classifier", required = true, paramLabel = "DIR") Path classifier;
    @Option(names = "--segmenter", required = true, paramLabel = "DIR") Path segmenter;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Held-out phantoms.") Path data;
    @Option(names = "--labels", required = true, paramLabel = "CSV") Path labels;
    @Option(names = "--real", paramLabel = "DIR", description = "Real CT scans for the autoencoder PSNR.") Path real;
    @Option(names = "--samples", split = ",", paramLabel = "FILE",
        description = "Scans whose scores are written to --expected-out.") List<Path> samples = new ArrayList<>();
    @Option(names = "--expected-out", paramLabel = "JSON") Path expectedOut;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures here.") Path json;

    @Override
    public Integer call() throws CtShiftException {
      TorchRuntime runtime = TorchRuntime.start(common.device, common.notices());
      DemoEvaluation evaluation = new DemoEvaluation(autoencoder, classifier, segmenter, runtime.device());
      try (evaluation) {
        JsonObject figures = evaluation.heldOut(ScanFiles.find(List.of(data)), labels, common.progress());
        if (real != null && Files.isDirectory(real)) {
          figures.add("real_ct", evaluation.autoencoderOn(ScanFiles.find(List.of(real)), common.progress()));
        } else {
          figures.addProperty("real_ct", "skipped: " + real + " is absent");
        }
        String text = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
            .toJson(figures);
        spec.commandLine().getOut().println(text);
        write(json, text);
        if (expectedOut != null) {
          write(expectedOut, new GsonBuilder().setPrettyPrinting().create().toJson(evaluation.sampleScores(samples)));
        }
      }
      return 0;
    }
  }

  @Command(name = "change-share", hidden = true, mixinStandardHelpOptions = true,
      header = "Share of a difference volume's absolute change inside a dilated label (explain check).")
  static final class ChangeShare implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Option(names = "--difference", required = true, paramLabel = "NIFTI") Path difference;
    @Option(names = "--labels", required = true, paramLabel = "NIFTI") Path labels;
    @Option(names = "--label", defaultValue = "2", paramLabel = "CODE") int label;
    @Option(names = "--dilate", defaultValue = "1", paramLabel = "VOXELS") int dilate;

    @Override
    public Integer call() throws CtShiftException {
      DemoEvaluation.ChangeShare s = DemoEvaluation.changeShare(difference, labels, label, dilate);
      spec.commandLine().getOut().printf(Locale.ROOT,
          "change inside label %d dilated by %d voxels: %.3f of the absolute change, in %.3f of the voxels%n",
          label, dilate, s.share(), s.volumeShare());
      StringBuilder outside = new StringBuilder("outside it, by label:");
      s.outsideByLabel().forEach((code, share) -> outside.append(String.format(Locale.ROOT, " %d %.3f", code, share)));
      spec.commandLine().getOut().println(outside);
      return 0;
    }
  }

  private static void write(Path file, String text) throws CtShiftException {
    if (file == null) {
      return;
    }
    try {
      Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CtShiftException(file + ": cannot write: " + e.getMessage(), e);
    }
  }

  /** A trainer, with invalid architecture arguments reported as a usage error. */
  static <T> T newTrainer(CommandLine cl, java.util.function.Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
  }

  /** The --name given, else the name of the --out folder. */
  static String modelName(String name, Path out) {
    return name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
  }

  static int depth(CommandLine cl, Integer requested, List<ModelSpaceScan> scans, Shared shared) {
    int d = requested != null ? requested : TrainingSets.commonDepth(scans);
    if (d < 1) {
      throw new ParameterException(cl, "--depth must be >= 1, got " + d);
    }
    long changed = TrainingSets.adjusted(scans, d);
    if (changed > 0) {
      shared.common.notices().accept("ctshift: " + changed + " of " + scans.size()
          + " scans cropped or padded to " + d + " slices");
    }
    shared.common.progress().accept(scans.size() + " volumes of " + d + "x" + scans.get(0).height() + "x"
        + scans.get(0).width());
    return d;
  }

  static JsonArray numbers(double... values) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }

  static JsonArray numbers(int... values) {
    JsonArray a = new JsonArray();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }
}
