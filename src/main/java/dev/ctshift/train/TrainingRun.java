package dev.ctshift.train;

import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * One training of a model folder: fits a trainer (from another model's weights when asked), then
 * writes the model (weights and {@code model.json}) and its {@link TrainingRecord}, each once.
 *
 * <pre>{@code
 * TrainingRun run = new TrainingRun(out, "autoencoder", dataDirs, null, "my-ae", input, new JsonObject());
 * try (AutoencoderTrainer t = new AutoencoderTrainer(config, args, 0)) {
 *   TrainingRun.Result r = run.fit(t, slices, listener, System.err::println);
 * }
 * }</pre>
 *
 * @param out the model folder to write
 * @param what what was trained, for the record (e.g. {@code classifier [effusion]})
 * @param data the folders the scans came from, for the record
 * @param initFrom the model whose weights training starts from, or null for random ones
 * @param name the model's name in model.json
 * @param input the model's input space: where the training data was brought
 * @param options kind-specific settings for the record (may be empty)
 */
public record TrainingRun(Path out, String what, List<Path> data, Path initFrom, String name,
    ModelManifest.Input input, JsonObject options) {

  /**
   * How it went.
   *
   * @param kept the report of the epoch whose weights were saved
   * @param seconds the time the fit took
   */
  public record Result(ProgressListener.EpochReport kept, double seconds) {}

  /**
   * Fits {@code trainer} on {@code dataset} and writes the model folder.
   *
   * @param progress receives a line when training starts from another model's weights
   * @throws CtShiftException if the data does not fit the network, training fails, or a file cannot be
   *     written
   */
  public <D> Result fit(NetworkTrainer<D, ?> trainer, D dataset, ProgressListener listener,
      Consumer<String> progress) throws CtShiftException {
    if (initFrom != null) {
      trainer.startFrom(initFrom);
      progress.accept("starting from the weights of " + initFrom);
    }
    long start = System.nanoTime();
    List<ProgressListener.EpochReport> history;
    try {
      history = trainer.fit(dataset, listener);
    } catch (IllegalArgumentException e) {
      throw new CtShiftException("cannot train on this data: " + e.getMessage(), e);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    trainer.save(out, name, input);
    try {
      TrainingRecord.write(out, TrainingRecord.ofRun(this, trainer.config(), trainer.selectedEpoch(), history,
          seconds));
    } catch (IOException e) {
      throw new CtShiftException(out.resolve(TrainingRecord.FILE) + ": cannot write: " + e.getMessage(), e);
    }
    return new Result(trainer.selectedReport(), seconds);
  }
}
