package dev.ctshift.model.djl;

import dev.ctshift.AtomicFiles;
import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import dev.ctshift.model.ArchitectureArgs;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One built and initialised {@link Architecture} with the NDManager that owns its weights.
 * Closing it frees the weights.
 *
 * <pre>{@code
 * try (DjlNetwork net = DjlNetwork.create(ArchitectureArgs.SliceAe.DEFAULTS, Device.cpu(),
 *     DataType.FLOAT32)) {
 *   net.saveParameters(dir.resolve("slice-ae.params"));
 * }
 * }</pre>
 */
public final class DjlNetwork implements AutoCloseable {
  private final Architecture architecture;
  private final ArchitectureArgs args;
  private final NDManager manager;
  private final Block block;
  private final DataType dataType;
  private ParameterStore parameterStore;
  private boolean frozen;

  private DjlNetwork(ArchitectureArgs args, Device device, DataType dataType) {
    this.architecture = Architecture.of(args);
    this.args = args;
    this.dataType = dataType;
    this.manager = NDManager.newBaseManager(device);
    this.block = architecture.build(args);
    this.parameterStore = new ParameterStore(manager, false);
    block.initialize(manager, dataType, architecture.initShape(args));
  }

  /**
   * Builds the architecture of {@code args} and initialises its weights randomly from the engine's random
   * generator (seed it for reproducible weights). {@code dataType} FLOAT64 gives a double-precision twin for
   * gradient checks.
   */
  public static DjlNetwork create(ArchitectureArgs args, Device device, DataType dataType) {
    return new DjlNetwork(args, device, dataType);
  }

  /**
   * Builds the architecture of {@code args} and loads float32 weights written by {@link #saveParameters}.
   *
   * @throws IOException if the file cannot be read or does not fit the architecture
   */
  public static DjlNetwork load(ArchitectureArgs args, Path params, Device device) throws IOException {
    DjlNetwork net = new DjlNetwork(args, device, DataType.FLOAT32);
    try {
      net.loadParameters(params);
      return net;
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** Writes the weights (DJL's parameter format) to {@code file}, atomically. */
  public void saveParameters(Path file) throws IOException {
    AtomicFiles.write(file, stream -> {
      DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream));
      block.saveParameters(out);
      out.flush();
    });
  }

  /**
   * Replaces the weights by those in {@code file}.
   *
   * @throws IOException if the file cannot be read or was written for another architecture/args
   */
  public void loadParameters(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      loadParameters(in, file.toString());
    }
  }

  /** The weights in DJL's parameter format: a snapshot that {@link #loadParameters(byte[])} restores. */
  public byte[] parameterBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      block.saveParameters(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Replaces the weights by a snapshot from {@link #parameterBytes()}.
   *
   * @throws IOException if the snapshot was taken of another architecture/args
   */
  public void loadParameters(byte[] snapshot) throws IOException {
    loadParameters(new ByteArrayInputStream(snapshot), "weight snapshot");
  }

  private void loadParameters(InputStream stream, String source) throws IOException {
    List<Parameter> params = block.getParameters().values();
    List<NDArray> previous = params.stream().map(Parameter::getArray).toList();
    List<Shape> expected = previous.stream().map(NDArray::getShape).toList();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(stream))) {
      block.loadParameters(manager, in);
      // DJL replaces each array with whatever the file holds, without checking its shape.
      for (int i = 0; i < params.size(); i++) {
        NDArray loaded = params.get(i).getArray();
        if (!loaded.getShape().equals(expected.get(i)) || loaded.getDataType() != dataType) {
          throw new IllegalStateException("parameter " + params.get(i).getName() + " is "
              + loaded.getShape() + " " + loaded.getDataType() + ", expected " + expected.get(i)
              + " " + dataType);
        }
      }
      if (in.read() != -1) {
        throw new IllegalStateException("trailing data after the last parameter");
      }
      // Loaded arrays are new and record no gradient; the store still caches the old ones.
      previous.forEach(NDArray::close);
      block.freezeParameters(frozen);
      parameterStore = new ParameterStore(manager, false);
    } catch (MalformedModelException | IllegalArgumentException | IllegalStateException e) {
      throw new IOException(source + ": weights do not fit " + architecture.id() + " " + args + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Copies the weights of {@code source} (same architecture and args, any float type) into this
   * network, converting the data type.
   *
   * @throws IllegalArgumentException if the parameter lists do not match
   */
  public void copyParametersFrom(DjlNetwork source) {
    List<Parameter> src = source.block.getParameters().values();
    List<Parameter> dst = block.getParameters().values();
    if (source.architecture != architecture || !source.args.equals(args) || src.size() != dst.size()) {
      throw new IllegalArgumentException("cannot copy weights of " + source + " into " + this);
    }
    for (int i = 0; i < src.size(); i++) {
      NDArray to = dst.get(i).getArray();
      try (NDArray converted = src.get(i).getArray().toType(dataType, true)) {
        converted.copyTo(to);
      }
    }
  }

  /** Stops (true) or resumes (false) gradient recording for every weight. */
  public void freeze(boolean frozen) {
    this.frozen = frozen;
    block.freezeParameters(frozen);
  }

  public Architecture architecture() {
    return architecture;
  }

  /** The complete architecture arguments. */
  public ArchitectureArgs architectureArgs() {
    return args;
  }

  /**
   * The complete architecture arguments as {@code type}.
   *
   * @throws IllegalStateException if the network is of another architecture
   */
  public <A extends ArchitectureArgs> A architectureArgs(Class<A> type) {
    if (!type.isInstance(args)) {
      throw new IllegalStateException(this + " has no " + type.getSimpleName() + " arguments");
    }
    return type.cast(args);
  }

  public DataType dataType() {
    return dataType;
  }

  /** The whole network (autoencoder: encoder then decoder). */
  public Block block() {
    return block;
  }

  /** The encoder of a {@code slice-ae}. */
  public Block encoder() {
    return aePart(0);
  }

  /** The decoder of a {@code slice-ae}. */
  public Block decoder() {
    return aePart(1);
  }

  private Block aePart(int index) {
    if (architecture != Architecture.SLICE_AE) {
      throw new IllegalStateException(architecture.id() + " has no encoder/decoder");
    }
    return ((SequentialBlock) block).getChildren().get(index).getValue();
  }

  /**
   * The parameter store to pass to {@link Block#forward}; holds no copies on a single device. A new
   * store replaces it when weights are loaded: fetch it for every call.
   */
  public ParameterStore parameterStore() {
    return parameterStore;
  }

  /** The manager owning the weights. */
  public NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return "DjlNetwork[" + architecture.id() + " " + args + " " + dataType + "]";
  }
}
