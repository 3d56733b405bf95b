package dev.ctshift.cli;

import dev.ctshift.CtShiftException;
import dev.ctshift.engine.TorchRuntime;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.djl.CombinedClassifier;
import dev.ctshift.report.StagedOutput;
import dev.ctshift.train.TrainingRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code ctshift train combine}: one classifier from chosen outputs of others ({@link CombinedClassifier}). */
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
final class TrainCombineCommand implements Callable<Integer> {
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
    String modelName = TrainOptions.modelName(name, out);
    try (CombinedClassifier.Assembly a = CombinedClassifier.network(chosen, runtime.device())) {
      try (StagedOutput staged = StagedOutput.into(out)) {
        CombinedClassifier.save(a, staged.folder(), modelName);
        TrainingRecord.write(staged.folder(), TrainingRecord.ofCombination(chosen));
        staged.commit();
      }
      spec.commandLine().getOut().printf(Locale.ROOT, "combined %s (trunk %s) into %s%n",
          String.join(", ", a.outputs()), a.network().architectureArgs(Classifier3d.class).trunk(), out);
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

  private static boolean isEmptyDirectory(Path dir) {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
