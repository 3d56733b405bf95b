package dev.ctshift.engine;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.ctshift.CtShiftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Starts the PyTorch engine offline on the requested device and makes sure convolution gradients are
 * right before any explanation is computed.
 *
 * <p>On some CPUs, libtorch's oneDNN kernels return wrong or NaN <em>input gradients</em> for
 * stride-1 2D convolutions with few output channels (and, see below, wrong stride-1 transposed
 * convolutions, which oneDNN computes with the same kernels). Latent Shift
 * is built on exactly those gradients, so {@link #start} runs a self-test (a few tiny convolutions,
 * float32 input gradient against float64, which never goes through oneDNN). The launcher sets
 * {@code ONEDNN_MAX_CPU_ISA=AVX}, which avoids the defect; if the test still fails
 * (e.g. the JVM was started without the launcher) oneDNN is switched off in-process, which is slower
 * but correct, and one line says so. If even that fails, the start is refused.
 *
 * <p>Forward results are checked the same way (2D, transposed 2D and 3D convolutions, the kinds slice
 * autoencoders and 3D models use, each also with channels-last input: the order ctshift gives slices
 * to encoders and one-channel volumes to 3D models in passes without gradient). Measured on an
 * AVX-512 CPU at oneDNN's full instruction set: every convolution and stride-2 transposed convolution
 * was right, but a stride-1 transposed convolution (computed by the same backward-data kernels that
 * return the wrong gradients) was off by 0.58–1.2 relative, in some runs only. So evaluations cannot use a path that gradients may not, and the
 * check refuses oneDNN for both.
 */
public final class TorchRuntime {
  /** Largest accepted relative error of a float32 input gradient against float64. */
  static final double GRADIENT_TOLERANCE = 1e-3;
  /** Largest accepted relative error of a float32 convolution output against float64. */
  static final double FORWARD_TOLERANCE = 1e-4;

  private static TorchRuntime current;

  private final Engine engine;
  private final Device device;
  private final String convolutionPath;
  private final double selfTestError;

  private TorchRuntime(Engine engine, Device device, String convolutionPath, double selfTestError) {
    this.engine = engine;
    this.device = device;
    this.convolutionPath = convolutionPath;
    this.selfTestError = selfTestError;
  }

  /**
   * Starts (once per JVM) the engine on {@code deviceName} ("cpu", "gpu" or "gpu:N") and runs the
   * gradient self-test there.
   *
   * @param log receives one-line notices (fallbacks); never null
   * @throws CtShiftException if the device is not available or gradients cannot be made correct
   */
  public static TorchRuntime start(String deviceName, Consumer<String> log) throws CtShiftException {
    return start(parseDevice(deviceName), log);
  }

  /** {@link #start(String, Consumer)} for a DJL device. */
  public static synchronized TorchRuntime start(Device device, Consumer<String> log) throws CtShiftException {
    if (current != null && current.device.equals(device)) {
      return current;
    }
    System.setProperty("offline", System.getProperty("offline", "true"));
    Engine engine;
    try {
      engine = Engine.getEngine("PyTorch");
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new CtShiftException("cannot start the PyTorch engine: " + e.getMessage()
          + " (the natives come from the pytorch-native-cpu jar; run ./ctshift so the build provides it)", e);
    }
    if (!device.isGpu()) {
      // NNPACK cannot run on these CPUs and warns on stderr at every first convolution.
      setContextFlag("_ZN2at7Context20setUserEnabledNNPACKEb", false, false);
    }
    if (device.isGpu() && engine.getGpuCount() <= device.getDeviceId()) {
      throw new CtShiftException("--device " + device + ": DJL sees " + engine.getGpuCount()
          + " CUDA device(s). A GPU run needs DJL's CUDA flavour of libtorch 2.7.1 (set PYTORCH_LIBRARY_PATH"
          + " to it or allow DJL to download it); use --device cpu to run on the CPU.");
    }
    double error = convolutionGradientError(engine, device);
    double forward = device.isGpu() ? 0 : convolutionForwardError(engine, device);
    String path = device.isGpu() ? "cuda" : describeCpuPath();
    if (!device.isGpu() && !(error <= GRADIENT_TOLERANCE && forward <= FORWARD_TOLERANCE)) {
      log.accept(String.format("ctshift: convolutions are wrong on this CPU with oneDNN (relative error of"
          + " gradients %.2g, of outputs %.2g); switching oneDNN off: correct but slower."
          + " Start through ./ctshift (it limits oneDNN's instruction set) to keep the fast path.", error, forward));
      setContextFlag("_ZN2at7Context20setUserEnabledMkldnnEb", false, true);
      error = convolutionGradientError(engine, device);
      forward = convolutionForwardError(engine, device);
      path = "oneDNN off";
    }
    if (!(error <= GRADIENT_TOLERANCE)) {
      throw new CtShiftException(String.format("refusing to run: convolution gradients on %s are"
          + " wrong (relative error %.3g against float64), so explanations would be wrong too", device, error));
    }
    if (!(forward <= FORWARD_TOLERANCE)) {
      throw new CtShiftException(String.format("refusing to run: convolution outputs on %s are"
          + " wrong (relative error %.3g against float64), so explanations would be wrong too", device, forward));
    }
    current = new TorchRuntime(engine, device, path, error);
    return current;
  }

  /**
   * Runs {@code work}, which must not compute a gradient, with gradient recording off (no autograd
   * bookkeeping for tensors that never need it).
   */
  public static <T> T evaluation(Supplier<T> work) {
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return work.get();
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  /**
   * Gives the memory that freed tensors left in glibc's heap back to the system ({@code
   * malloc_trim(0)}). The launcher lets glibc keep freed blocks for reuse, which saves faulting them in
   * again on the next call; call this when a volume's tensor work is done, and before a model pass
   * whose activations would otherwise come on top of the blocks an earlier step left free (glibc
   * reuses few of them for the model's differently sized tensors).
   */
  public static void releaseFreedMemory() {
    try {
      NativeLibrary.getInstance("c").getFunction("malloc_trim").invokeInt(new Object[] {0});
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      // Not glibc: nothing to give back this way.
    }
  }

  /** "cpu", "gpu", "gpu:N" (or "cuda", "cuda:N") as a DJL device. */
  public static Device parseDevice(String name) throws CtShiftException {
    String n = name == null ? "cpu" : name.trim().toLowerCase(java.util.Locale.ROOT);
    if (n.equals("cpu")) {
      return Device.cpu();
    }
    if (n.equals("gpu") || n.equals("cuda")) {
      return Device.gpu(0);
    }
    if (n.matches("(gpu|cuda):\\d+")) {
      return Device.gpu(Integer.parseInt(n.substring(n.indexOf(':') + 1)));
    }
    throw new CtShiftException("--device must be cpu, gpu or gpu:N, got '" + name + "'");
  }

  private static String describeCpuPath() {
    String isa = System.getenv("ONEDNN_MAX_CPU_ISA");
    return isa == null ? "oneDNN (default ISA)" : "oneDNN (ISA limited to " + isa + ")";
  }

  /**
   * Worst relative error, over a few small convolutions of the kinds known to fail (2D with few output
   * channels) and 3D ones (as in 3D models), of the float32 input and weight gradients against the
   * float64 ones.
   */
  static double convolutionGradientError(Engine engine, Device device) {
    // {input channels, output channels, spatial dimensions}
    int[][] cases = {{4, 1, 2}, {8, 3, 2}, {8, 4, 2}, {16, 1, 2}, {1, 4, 3}, {4, 1, 3}, {8, 8, 3}};
    double worst = 0;
    Random random = new Random(20211);
    try (NDManager manager = NDManager.newBaseManager(device, engine.getEngineName())) {
      for (int repeat = 0; repeat < 3; repeat++) {
        for (int[] c : cases) {
          int n = c[2] == 2 ? 12 : 6;
          Shape xs = c[2] == 2 ? new Shape(2, c[0], n, n) : new Shape(2, c[0], n, n, n);
          Shape ws = c[2] == 2 ? new Shape(c[1], c[0], 3, 3) : new Shape(c[1], c[0], 3, 3, 3);
          Shape rs = c[2] == 2 ? new Shape(2, c[1], n, n) : new Shape(2, c[1], n, n, n);
          float[] x = randomFloats(random, (int) xs.size());
          float[] w = randomFloats(random, (int) ws.size());
          float[] r = randomFloats(random, (int) rs.size());
          double[][] g32 = gradients(engine, manager, x, w, r, xs, ws, rs, DataType.FLOAT32);
          double[][] g64 = gradients(engine, manager, x, w, r, xs, ws, rs, DataType.FLOAT64);
          for (int k = 0; k < 2; k++) {
            double num = 0;
            double den = 0;
            for (int i = 0; i < g64[k].length; i++) {
              num = Math.max(num, Math.abs(g32[k][i] - g64[k][i]));
              den = Math.max(den, Math.abs(g64[k][i]));
            }
            double rel = num / Math.max(den, 1e-12);
            if (Double.isNaN(rel)) {
              return Double.NaN;
            }
            worst = Math.max(worst, rel);
          }
        }
      }
    }
    return worst;
  }

  /**
   * Worst relative error, over the convolutions of {@code convolutions.pt} (made by
   * scripts/make_selftest_convolutions.py), of float32 outputs against float64 ones; each case is
   * scaled by its largest float64 output. Runs three times with fresh random values.
   */
  static double convolutionForwardError(Engine engine, Device device) throws CtShiftException {
    Path dir;
    try {
      dir = Files.createTempDirectory("ctshift-selftest");
      try (java.io.InputStream in = TorchRuntime.class.getResourceAsStream("convolutions.pt")) {
        if (in == null) {
          throw new CtShiftException("convolutions.pt is missing from the ctshift jar");
        }
        Files.copy(in, dir.resolve("convolutions.pt"));
      }
    } catch (java.io.IOException e) {
      throw new CtShiftException("cannot write the self-test module to a temporary folder: " + e.getMessage(), e);
    }
    double worst = 0;
    Random random = new Random(20261205);
    try (Model model = Model.newInstance("convolutions", device, engine.getEngineName());
        NDManager manager = NDManager.newBaseManager(device, engine.getEngineName())) {
      model.load(dir, "convolutions.pt");
      Block block = model.getBlock();
      ParameterStore parameters = new ParameterStore(manager, false);
      for (int repeat = 0; repeat < 3; repeat++) {
        try (NDManager m = manager.newSubManager()) {
          NDArray values = m.create(randomFloats(random, CONVOLUTION_INPUT_VALUES));
          NDList out32 = block.forward(parameters, new NDList(values), false);
          NDList out64 = block.forward(parameters, new NDList(values.toType(DataType.FLOAT64, false)), false);
          for (int i = 0; i < out64.size(); i++) {
            double[] a = out32.get(i).toType(DataType.FLOAT64, false).toDoubleArray();
            double[] b = out64.get(i).toDoubleArray();
            double num = 0;
            double den = 0;
            for (int j = 0; j < b.length; j++) {
              num = Math.max(num, Math.abs(a[j] - b[j]));
              den = Math.max(den, Math.abs(b[j]));
            }
            double rel = num / Math.max(den, 1e-12);
            if (Double.isNaN(rel)) {
              return Double.NaN;
            }
            worst = Math.max(worst, rel);
          }
          out32.close();
          out64.close();
        }
      }
    } catch (java.io.IOException | ai.djl.MalformedModelException | RuntimeException e) {
      throw new CtShiftException("cannot run the forward self-test: " + e.getMessage(), e);
    } finally {
      dir.resolve("convolutions.pt").toFile().delete();
      dir.toFile().delete();
    }
    return worst;
  }

  /** Length of the flat input of {@code convolutions.pt}. */
  private static final int CONVOLUTION_INPUT_VALUES = 82212;

  static double[] inputGradient(Engine engine, NDManager parent, float[] x, float[] w, float[] r,
      Shape xs, Shape ws, Shape rs, DataType type) {
    return gradients(engine, parent, x, w, r, xs, ws, rs, type)[0];
  }

  /** Input and weight gradients of sum(conv(x, w) * r), stride 1, padding 1; 2D or 3D by the shapes. */
  static double[][] gradients(Engine engine, NDManager parent, float[] x, float[] w, float[] r,
      Shape xs, Shape ws, Shape rs, DataType type) {
    try (NDManager m = parent.newSubManager()) {
      NDArray input = m.create(x, xs).toType(type, false);
      NDArray weight = m.create(w, ws).toType(type, false);
      NDArray upstream = m.create(r, rs).toType(type, false);
      input.setRequiresGradient(true);
      weight.setRequiresGradient(true);
      try (GradientCollector collector = engine.newGradientCollector()) {
        NDArray y = xs.dimension() == 4
            ? Conv2d.conv2d(input, weight, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow()
            : Conv3d.conv3d(input, weight, null, new Shape(1, 1, 1), new Shape(1, 1, 1)).singletonOrThrow();
        collector.backward(y.mul(upstream).sum());
      }
      return new double[][] {input.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(),
          weight.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()};
    }
  }

  private static float[] randomFloats(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /**
   * Calls a boolean setter of libtorch's global context, e.g. {@code
   * at::globalContext().setUserEnabledMkldnn(false)}, in the libtorch that DJL has loaded. These
   * switches are not exposed by DJL, so they are reached through their C++ symbols with JNA.
   *
   * @param required whether failure is an error (else the flag is silently left as it is)
   */
  private static void setContextFlag(String symbol, boolean value, boolean required)
      throws CtShiftException {
    try {
      if (libTorch == null) {
        libTorch = NativeLibrary.getInstance(findLibTorchCpu().toString());
        globalContext = libTorch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
      }
      libTorch.getFunction(symbol).invokeVoid(new Object[] {globalContext, value});
    } catch (CtShiftException | UnsatisfiedLinkError | RuntimeException e) {
      if (required) {
        throw new CtShiftException("cannot call " + symbol + " in libtorch: " + e.getMessage(), e);
      }
    }
  }

  /** libtorch_cpu as loaded by DJL and its global context, found once. */
  private static NativeLibrary libTorch;
  private static Pointer globalContext;

  private static Path findLibTorchCpu() throws CtShiftException {
    String cache = System.getenv().getOrDefault("DJL_CACHE_DIR",
        System.getProperty("user.home") + "/.djl.ai");
    Path root = Path.of(System.getProperty("ENGINE_CACHE_DIR", cache), "pytorch");
    try (Stream<Path> files = Files.walk(root, 2)) {
      return files.filter(p -> p.getFileName().toString().equals("libtorch_cpu.so"))
          .filter(p -> p.toString().contains("2.7.1")).findFirst()
          .orElseThrow(() -> new CtShiftException("libtorch_cpu.so not found under " + root));
    } catch (java.io.IOException e) {
      throw new CtShiftException("cannot look for libtorch under " + root + ": " + e.getMessage(), e);
    }
  }

  public Engine engine() {
    return engine;
  }

  public Device device() {
    return device;
  }

  /** How convolutions run, for reports: e.g. "oneDNN (ISA limited to SSE41)" or "oneDNN off". */
  public String convolutionPath() {
    return convolutionPath;
  }

  /** The self-test's worst relative gradient error. */
  public double selfTestError() {
    return selfTestError;
  }

  /** A manager on this runtime's device; the caller closes it. */
  public NDManager newManager() {
    return NDManager.newBaseManager(device, engine.getEngineName());
  }
}
