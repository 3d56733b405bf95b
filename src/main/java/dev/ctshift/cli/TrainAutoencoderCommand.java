package dev.ctshift.cli;

import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.train.AutoencoderTrainer;
import dev.ctshift.train.TrainConfig;
import dev.ctshift.train.data.TrainingSets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ctshift train autoencoder}: a slice autoencoder on every axial slice ({@link AutoencoderTrainer}). */
@Command(name = "autoencoder", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Train a 2D slice autoencoder (slice-ae) on every axial slice of the scans.")
final class TrainAutoencoderCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin TrainOptions shared;
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
    CommandLine cl = spec.commandLine();
    TrainConfig config = shared.config(cl, common, 0);
    SliceAe args = shared.architectureArgs(cl, SliceAe.class, SliceAe.DEFAULTS, a -> shared.common(a)
        .withLatentChannels(latentChannels != null ? latentChannels : a.latentChannels())
        .withDecoderKernel(decoderKernel != null ? decoderKernel : a.decoderKernel()));
    var slices = TrainingSets.slices(shared.load(cl, common, null));
    common.progress().accept(slices.size() + " slices of " + slices.height() + "x" + slices.width());
    try (AutoencoderTrainer trainer = TrainOptions.newTrainer(cl,
        () -> new AutoencoderTrainer(config, args, l1Weight))) {
      shared.fit(cl, common, shared.run("autoencoder", 1, new JsonObject()), trainer, slices);
    }
    return 0;
  }
}
