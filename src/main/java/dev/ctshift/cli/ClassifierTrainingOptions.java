package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.train.ClassifierOptions;
import dev.ctshift.train.FindingCrops;
import dev.ctshift.train.GradientPenalty;
import dev.ctshift.train.VolumeDataset;
import dev.ctshift.train.data.FindingTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options only {@code ctshift train classifier} has, the rules between them, and what they build:
 * the classifier's architecture arguments and {@link ClassifierOptions}.
 */
final class ClassifierTrainingOptions {
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
  LinkedHashMap<String, Integer> regions = new LinkedHashMap<>();

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
          + " itself (the reconstruction gap of ctshift evaluate and demo evaluate). Doubles the volumes per"
          + " epoch.")
  Path reconstructionAutoencoder;

  /** {@code args} with one output per target, --convs and --trunk if given. */
  Classifier3d architectureArgs(Classifier3d args) {
    return args.withOutputsAndTrunk(targets.size(), trunk != null ? trunk : args.trunk())
        .withConvs(convs != null ? convs : args.convs());
  }

  /** The label codes of the --finding-region maps to load, or null for none. */
  int[] regionCodes() {
    return regions.isEmpty() ? null : regions.values().stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Per target, the class index of its --finding-region code in the loaded label maps, or 0.
   *
   * @param head the --head given, or null
   */
  int[] regionClasses(CommandLine cl, String head) {
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
    if (!regions.isEmpty() && !"classmap".equals(head)) {
      throw new ParameterException(cl, "--finding-region needs --head classmap (one evidence map per output)");
    }
    return regionClass;
  }

  /** --add-reconstructions must name an autoencoder of the training's input geometry {@code want}. */
  void checkReconstructionGeometry(CommandLine cl, ModelManifest.Input want) throws CtShiftException {
    if (reconstructionAutoencoder == null) {
      return;
    }
    ModelManifest.Input got = ModelManifest.read(reconstructionAutoencoder).input();
    if (!want.orientation().equals(got.orientation()) || !Arrays.equals(want.spacingMm(), got.spacingMm())
        || !Arrays.equals(want.size(), got.size()) || !Arrays.equals(want.huWindow(), got.huWindow())
        || !Arrays.equals(want.range(), got.range())) {
      throw new ParameterException(cl, "--add-reconstructions " + reconstructionAutoencoder
          + ": its input geometry (" + geometry(got) + ") differs from this training's (" + geometry(want) + ")");
    }
  }

  private static String geometry(ModelManifest.Input in) {
    return String.format(Locale.ROOT, "%s, %s mm, %s, HU %s", in.orientation(), Arrays.toString(in.spacingMm()),
        Arrays.toString(in.size()), Arrays.toString(in.huWindow()));
  }

  /** The classifier's training options for volumes like {@code volumes} and a network of {@code levels}. */
  ClassifierOptions options(CommandLine cl, VolumeDataset volumes, int levels) {
    FindingCrops crops = crops(cl, volumes, levels);
    GradientPenalty penalty = gradientPenalty(cl);
    try {
      return new ClassifierOptions(regionWeight, crops, labelSmoothing, penalty);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cl, e.getMessage());
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
}
