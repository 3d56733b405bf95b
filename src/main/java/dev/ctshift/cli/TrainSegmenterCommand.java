package dev.ctshift.cli;

import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.train.SegmenterTrainer;
import dev.ctshift.train.TrainConfig;
import dev.ctshift.train.data.ModelSpaceScan;
import dev.ctshift.train.data.TrainingSets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ctshift train segmenter}: a 3D segmenter from label maps ({@link SegmenterTrainer}). */
@Command(name = "segmenter", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Train a 3D segmenter (segmenter3d) from <id>_labels.nii.gz label maps.")
final class TrainSegmenterCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin TrainOptions shared;
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
    CommandLine cl = spec.commandLine();
    TrainConfig config = shared.config(cl, common, 0);
    Map<String, Integer> wanted = classes != null ? classes : Map.of("lung", 1);
    List<String> names = new ArrayList<>(List.of("background"));
    names.addAll(wanted.keySet());
    int[] codes = wanted.values().stream().mapToInt(Integer::intValue).toArray();
    Segmenter3d args = shared.architectureArgs(cl, Segmenter3d.class, Segmenter3d.DEFAULTS,
        a -> shared.common(a).withClasses(names.size()));
    List<ModelSpaceScan> scans = shared.load(cl, common, codes);
    int d = shared.depth(cl, common, depth, scans);
    var data = TrainingSets.segmented(scans, d, 0f, names);
    try (SegmenterTrainer trainer = TrainOptions.newTrainer(cl, () -> new SegmenterTrainer(config, args))) {
      shared.fit(cl, common, shared.run("segmenter " + names.subList(1, names.size()), 1, new JsonObject()),
          trainer, data);
    }
    return 0;
  }
}
