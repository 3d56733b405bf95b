package dev.ctshift.model.torchscript;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ctshift.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One TorchScript file loaded for differentiable inference, following the recipe measured in
 * NOTES-DJL: weights loaded as trainable tensors ({@code trainParam=true}) so that backward works,
 * then frozen; the module put in eval mode once; every call made with {@code training=true} so that
 * DJL neither wraps it in a no-grad guard nor flips the module back to train mode. Whether a call
 * records a graph then depends only on whether its input requires a gradient.
 */
final class TorchScriptModule implements AutoCloseable {
  private final Model model;
  private final PtSymbolBlock block;
  private final ParameterStore parameters;
  private final Path file;

  TorchScriptModule(Path file, Device device) throws ModelLoadException {
    this.file = file;
    String name = file.getFileName().toString();
    this.model = Model.newInstance(name, device, "PyTorch");
    try {
      model.load(file.getParent(), name, Map.of("trainParam", "true"));
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelLoadException(file + ": not a loadable TorchScript model: " + firstLine(e), e);
    }
    if (!(model.getBlock() instanceof PtSymbolBlock)) {
      model.close();
      throw new ModelLoadException(file + ": did not load as a TorchScript module");
    }
    this.block = (PtSymbolBlock) model.getBlock();
    block.freezeParameters(true);
    JniUtils.enableInferenceMode(block);
    this.parameters = new ParameterStore(model.getNDManager(), false);
  }

  /** Runs the module on one input; see the class comment for gradient behaviour. */
  NDArray forward(NDArray input) {
    NDList out;
    try {
      out = block.forward(parameters, new NDList(input), true);
    } catch (RuntimeException e) {
      throw new IllegalStateException(file.getFileName() + " failed on input of shape " + input.getShape()
          + ": " + firstLine(e), e);
    }
    NDArray result = out.get(0);
    // Outputs are attached to the model's manager by the engine: move them to the caller's scope.
    result.attach(input.getManager());
    for (int i = 1; i < out.size(); i++) {
      out.get(i).close();
    }
    return result;
  }

  Path file() {
    return file;
  }

  NDManager manager() {
    return model.getNDManager();
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public void close() {
    model.close();
  }
}
