package dev.ctshift.cli;

import ai.djl.Device;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.train.ConsoleProgress;
import dev.ctshift.train.NetworkTrainer;
import dev.ctshift.train.ProgressListener;
import dev.ctshift.train.TrainConfig;
import dev.ctshift.train.TrainingRun;
import dev.ctshift.train.data.ModelSpaceLoader;
import dev.ctshift.train.data.ModelSpaceScan;
import dev.ctshift.train.data.ScanFiles;
import dev.ctshift.train.data.TrainingSets;
import dev.ctshift.volume.Orientation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Options every {@code ctshift train} model kind shares (data, input geometry, optimisation,
 * architecture), and what they build: the training settings, the scans in model space and the
 * {@link TrainingRun}.
 */
final class TrainOptions {
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

  /** The input space the scans are brought into; {@code minDepth} slices at least. */
  ModelManifest.Input input(int minDepth) {
    return new ModelManifest.Input(orientation, spacingMm.clone(), size.clone(), huWindow.clone(),
        new double[] {0, 1}, ModelManifest.Layout.NCDHW, 1, minDepth);
  }

  /**
   * The architecture arguments: those of the --init-from model (so that fine-tuning needs no repeated
   * options), else {@code defaults}, changed by {@code given}, the options given; invalid ones are a
   * usage error.
   *
   * @throws CtShiftException if the --init-from model cannot be read or is another architecture
   */
  <A extends ArchitectureArgs> A architectureArgs(CommandLine cl, Class<A> type, A defaults, UnaryOperator<A> given)
      throws CtShiftException {
    A start = defaults;
    if (initFrom != null) {
      ModelManifest m = ModelManifest.read(initFrom);
      if (!defaults.architecture().equals(m.architecture())) {
        throw new CtShiftException(initFrom + ": cannot start a " + defaults.architecture() + " from this model: it is "
            + (m.architecture() == null ? "not a ctshift-trained model" : "a " + m.architecture()));
      }
      start = m.architectureArgs(type);
    }
    if (head != null && !(start instanceof Classifier3d)) {
      throw new ParameterException(cl, "--head: only a classifier has a head, not a " + defaults.architecture());
    }
    try {
      return given.apply(start);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
    }
  }

  /** A slice autoencoder's arguments with --base-channels and --levels if given. */
  SliceAe common(SliceAe a) {
    return a.withBaseChannels(baseChannels != null ? baseChannels : a.baseChannels())
        .withLevels(levels != null ? levels : a.levels());
  }

  /** A classifier's arguments with --base-channels, --levels and --head if given. */
  Classifier3d common(Classifier3d a) {
    return a.withBaseChannels(baseChannels != null ? baseChannels : a.baseChannels())
        .withLevels(levels != null ? levels : a.levels()).withHead(head != null ? head : a.head());
  }

  /** A segmenter's arguments with --base-channels and --levels if given. */
  Segmenter3d common(Segmenter3d a) {
    return a.withBaseChannels(baseChannels != null ? baseChannels : a.baseChannels())
        .withLevels(levels != null ? levels : a.levels());
  }

  /** The training settings; {@code adversarialL2} 0 for plain training. */
  TrainConfig config(CommandLine cl, CommonOptions common, double adversarialL2) throws CtShiftException {
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
  List<ModelSpaceScan> load(CommandLine cl, CommonOptions common, int[] labelCodes) throws CtShiftException {
    validateGeometry(cl);
    List<Path> files = ScanFiles.find(data);
    common.progress().accept("found " + files.size() + " scans in " + data);
    int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (n < 1) {
      throw new ParameterException(cl, "--threads must be >= 1, got " + n);
    }
    return new ModelSpaceLoader(input(1), n).load(files, labelCodes, common.progress());
  }

  private void validateGeometry(CommandLine cl) {
    try {
      Orientation.validate(orientation);
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

  /** The --depth given, else the most common one; says how many scans it crops or pads. */
  int depth(CommandLine cl, CommonOptions common, Integer requested, List<ModelSpaceScan> scans) {
    int d = requested != null ? requested : TrainingSets.commonDepth(scans);
    if (d < 1) {
      throw new ParameterException(cl, "--depth must be >= 1, got " + d);
    }
    long changed = TrainingSets.adjusted(scans, d);
    if (changed > 0) {
      common.notices().accept("ctshift: " + changed + " of " + scans.size()
          + " scans cropped or padded to " + d + " slices");
    }
    common.progress().accept(scans.size() + " volumes of " + d + "x" + scans.get(0).height() + "x"
        + scans.get(0).width());
    return d;
  }

  /**
   * The run that writes the --out model folder.
   *
   * @param minDepth slices the saved model needs at least
   * @param options kind-specific settings for training.json (may be empty)
   */
  TrainingRun run(String what, int minDepth, JsonObject options) {
    return new TrainingRun(out, what, data, initFrom, modelName(name, out), input(minDepth), options);
  }

  /** Trains, saves the model and its training record, and prints the kept epoch. */
  <D> void fit(CommandLine cl, CommonOptions common, TrainingRun run, NetworkTrainer<D, ?> trainer, D dataset)
      throws CtShiftException {
    ProgressListener listener = common.quiet ? ProgressListener.NONE : new ConsoleProgress(cl.getErr());
    TrainingRun.Result r = run.fit(trainer, dataset, listener, common.progress());
    ProgressListener.EpochReport kept = r.kept();
    cl.getOut().printf(Locale.ROOT, "trained %s in %.0f s: %sepoch %d loss %.5f%s; model in %s%n",
        run.what(), r.seconds(), keepBest ? "best " : "", kept.epoch(), kept.trainLoss(), metricsText(kept), out);
    cl.getOut().flush();
  }

  private static String metricsText(ProgressListener.EpochReport r) {
    StringBuilder s = new StringBuilder();
    r.metrics().forEach((k, v) -> s.append(String.format(Locale.ROOT, ", %s %.4f", k, v)));
    return s.toString();
  }

  /** A trainer, with invalid architecture arguments reported as a usage error. */
  static <T> T newTrainer(CommandLine cl, Supplier<T> make) {
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
}
