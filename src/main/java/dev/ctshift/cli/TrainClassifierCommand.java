package dev.ctshift.cli;

import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.train.ClassifierOptions;
import dev.ctshift.train.ClassifierTrainer;
import dev.ctshift.train.TrainConfig;
import dev.ctshift.train.TrainingRecord;
import dev.ctshift.train.data.FindingTable;
import dev.ctshift.train.data.ModelSpaceScan;
import dev.ctshift.train.data.Reconstructions;
import dev.ctshift.train.data.TrainingSets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ctshift train classifier}: a multi-label 3D classifier from a labels table ({@link ClassifierTrainer}). */
@Command(name = "classifier", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Train a multi-label 3D classifier (classifier3d) from a labels table.")
final class TrainClassifierCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin TrainOptions shared;
  @Mixin CommonOptions common;
  @Mixin ClassifierTrainingOptions classifier;

  @Override
  public Integer call() throws CtShiftException {
    CommandLine cl = spec.commandLine();
    TrainConfig config = shared.config(cl, common, classifier.adversarialL2);
    Classifier3d args = shared.architectureArgs(cl, Classifier3d.class, Classifier3d.DEFAULTS,
        a -> classifier.architectureArgs(shared.common(a))); // before the scans are read
    int levels = args.levels();
    int[] regionClass = classifier.regionClasses(cl, shared.head);
    FindingTable table = FindingTable.read(classifier.labels, classifier.targets);
    classifier.checkReconstructionGeometry(cl, shared.input(1)); // before the scans are read
    List<ModelSpaceScan> scans = withReconstructions(config, shared.load(cl, common, classifier.regionCodes()));
    int d = shared.depth(cl, common, classifier.depth, scans);
    var data = TrainingSets.labelled(scans, d, 0f, table, regionClass);
    ClassifierOptions options = classifier.options(cl, data.volumes(), levels);
    JsonObject record = TrainingRecord.classifierOptions(classifier.regions, options,
        classifier.reconstructionAutoencoder);
    // Each pooling level halves the depth: a shorter scan is padded to this many slices.
    int minDepth = 1 << (levels - 1);
    try (ClassifierTrainer trainer = TrainOptions.newTrainer(cl, () -> new ClassifierTrainer(config, args, options))) {
      shared.fit(cl, common, shared.run("classifier " + classifier.targets, minDepth, record), trainer, data);
    }
    return 0;
  }

  /** {@code scans} and, with --add-reconstructions, their reconstructions after them. */
  private List<ModelSpaceScan> withReconstructions(TrainConfig config, List<ModelSpaceScan> scans)
      throws CtShiftException {
    Path ae = classifier.reconstructionAutoencoder;
    if (ae == null) {
      return scans;
    }
    TorchRuntime.start(config.device(), common.notices());
    try (SliceAutoencoder autoencoder = Models.loadAutoencoder(ae, config.device())) {
      common.progress().accept("reconstructing " + scans.size() + " scans with " + ae);
      return Reconstructions.appended(scans, autoencoder, config.device(), common.progress());
    }
  }
}
