package dev.ctshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * {@code ctshift train autoencoder|classifier|segmenter|combine}: loads NIfTI scans from folders,
 * brings them into the model's input space as {@code ctshift explain} will, trains a DJL-native network
 * and writes a model directory ({@code model.json}, weights, {@code training.json}).
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
    subcommands = {TrainAutoencoderCommand.class, TrainClassifierCommand.class, TrainSegmenterCommand.class,
        TrainCombineCommand.class})
public final class TrainCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name what to train: autoencoder, classifier or segmenter");
  }
}
