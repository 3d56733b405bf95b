package dev.ctshift.model.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import com.google.gson.JsonObject;
import dev.ctshift.model.ArchitectureArgs;
import dev.ctshift.model.ArchitectureArgs.Classifier3d;
import dev.ctshift.model.ArchitectureArgs.Segmenter3d;
import dev.ctshift.model.ArchitectureArgs.SliceAe;
import dev.ctshift.model.ModelManifest.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The DJL-native networks ctshift can train, by their {@code model.json} name, built from their
 * typed {@code architecture_args} ({@link ArchitectureArgs}, which holds the defaults and checks). All take inputs in [0, 1], map them to [-1, 1] first, and
 * use 3x3 (3x3x3) convolutions with ReLU and no normalisation layers.
 *
 * <ul>
 *   <li>{@code slice-ae}: 2D autoencoder, input {@code [B, 1, H, W]} with H and W multiples of
 *       {@code 2^levels}; continuous latent {@code [B, latent_channels, H/2^levels, W/2^levels]};
 *       decoder of convolution + nearest upsampling per level and a last 3x3 convolution with a
 *       sigmoid, output in [0, 1]. Args:
 *       {@code base_channels} (16), {@code latent_channels} (8), {@code levels} (3),
 *       {@code decoder_kernel} (3: the odd kernel size of the decoder's convolutions below full
 *       resolution; 1 keeps a latent cell's effect on the image within its own patch and the last
 *       convolution's reach, so that a latent shift changes the image only near where it acts).
 *       Channels double per level.
 *   <li>{@code classifier3d}: input {@code [B, 1, D, H, W]}, {@code levels} stages of {@code convs}
 *       convolutions each, separated by 2x2x2 max pooling (stride 2), global pooling and a linear
 *       layer to {@code [B, K]} logits (multi-label). Args: {@code base_channels} (8), {@code levels}
 *       (3), {@code convs} (1), {@code outputs} (1),
 *       {@code head} ({@code "avg"}: global average pooling; {@code "max"}: global max pooling, so
 *       that each feature's evidence, and the gradient, comes from where it is strongest;
 *       {@code "avgmax"}: both side by side, which keeps small local findings such as nodules from
 *       being averaged away; {@code "classmap"}: a 1x1x1 convolution to one evidence map per output,
 *       each pooled by a smooth maximum (log-mean-exp, sharpness {@value #CLASSMAP_SHARPNESS}), so
 *       that an output is its strongest local evidence and its gradient stays where that evidence
 *       is); {@code trunk} ({@code "shared"}: one network for all outputs; {@code "per-output"}: one
 *       single-output network per output side by side; {@code "2+1"}: a network for each group of
 *       consecutive outputs, here outputs 0-1 and 2; their logits or, for classmap, their evidence
 *       maps are concatenated, so that no group's training moves another's weights). Each spatial size
 *       must be at least {@code 2^(levels-1)}.
 *   <li>{@code segmenter3d}: U-Net-lite, input {@code [B, 1, D, H, W]} of any size (padded inside to
 *       a multiple of {@code 2^(levels-1)} and cropped back), output {@code [B, classes, D, H, W]}
 *       logits. Args: {@code base_channels} (8), {@code levels} (2), {@code classes} (2).
 * </ul>
 */
public enum Architecture {
  SLICE_AE(SliceAe.DEFAULTS),
  CLASSIFIER_3D(Classifier3d.DEFAULTS),
  SEGMENTER_3D(Segmenter3d.DEFAULTS);

  /** Sharpness r of the classmap head's pooling (1/r) log mean exp(r x): mean at 0, max as r grows. */
  static final float CLASSMAP_SHARPNESS = 4;

  private final ArchitectureArgs defaults;

  Architecture(ArchitectureArgs defaults) {
    this.defaults = defaults;
  }

  /** The name used in {@code model.json}, e.g. {@code "slice-ae"}. */
  public String id() {
    return defaults.architecture();
  }

  /** The kind of model this architecture is. */
  public Kind kind() {
    return defaults.kind();
  }

  /** The arguments this architecture has when a manifest gives none. */
  public ArchitectureArgs defaults() {
    return defaults;
  }

  /**
   * The architecture called {@code id} in a manifest.
   *
   * @throws IllegalArgumentException naming the allowed values if there is none
   */
  public static Architecture fromId(String id) {
    for (Architecture a : values()) {
      if (a.id().equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + id + "', expected one of "
        + Arrays.stream(values()).map(Architecture::id).toList());
  }

  /** The architecture whose arguments {@code args} are. */
  public static Architecture of(ArchitectureArgs args) {
    return fromId(args.architecture());
  }

  /**
   * {@code args} (may be partial or empty; not modified) over the defaults, typed.
   *
   * @throws IllegalArgumentException on an unknown key or a value of the wrong kind
   */
  public ArchitectureArgs parse(JsonObject args) {
    return ArchitectureArgs.fromJson(id(), args);
  }

  /**
   * The output group sizes of a trunk spec: one group for shared, one per output for per-output.
   *
   * @throws IllegalArgumentException if the spec is malformed or the groups do not add up to the outputs
   */
  static int[] trunkGroups(String trunk, int outputs) {
    return Classifier3d.DEFAULTS.withOutputsAndTrunk(outputs, trunk).trunkGroups();
  }

  /**
   * Builds the uninitialised network for {@code args}.
   *
   * @throws IllegalArgumentException if {@code args} belong to another architecture
   */
  public Block build(ArchitectureArgs args) {
    requireOwn(args);
    if (args instanceof SliceAe a) {
      return sliceAe(a.baseChannels(), a.latentChannels(), a.levels(), a.decoderKernel());
    }
    if (args instanceof Classifier3d c) {
      return classifier3d(c.baseChannels(), c.levels(), c.convs(), c.outputs(), c.head(), c.trunk());
    }
    Segmenter3d s = (Segmenter3d) args;
    return new PadToMultipleBlock(new SequentialBlock().add(Layers.centre())
        .add(unet(s.baseChannels(), 0, s.levels(), s.classes())), 1 << (s.levels() - 1));
  }

  /** A small input shape that initialises every parameter of the network built from {@code args}. */
  public Shape initShape(ArchitectureArgs args) {
    requireOwn(args);
    int levels = args.levels();
    int side = this == SLICE_AE ? 1 << levels : 1 << (levels - 1);
    return this == SLICE_AE ? new Shape(1, 1, side, side) : new Shape(1, 1, side, side, side);
  }

  private void requireOwn(ArchitectureArgs args) {
    if (!args.architecture().equals(id())) {
      throw new IllegalArgumentException(id() + " cannot be built from " + args);
    }
  }

  @Override
  public String toString() {
    return id();
  }

  /** Encoder then decoder as the two children of one sequential block. */
  private static Block sliceAe(int base, int latent, int levels, int decoderKernel) {
    SequentialBlock encoder = new SequentialBlock().add(Layers.centre());
    for (int l = 0; l < levels; l++) {
      int ch = base << l;
      encoder.add(Layers.conv2d(ch, 3, 1)).add(Activation.reluBlock())
          .add(Layers.conv2d(ch, 3, 2)).add(Activation.reluBlock());
    }
    encoder.add(Layers.conv2d(latent, 1, 1));
    SequentialBlock decoder = new SequentialBlock();
    decoder.add(Layers.conv2d(base << (levels - 1), decoderKernel, 1)).add(Activation.reluBlock());
    // Convolve before upsampling: most of the work stays at the lower resolution.
    for (int l = levels - 1; l >= 0; l--) {
      decoder.add(Layers.conv2d(base << l, decoderKernel, 1)).add(Activation.reluBlock())
          .add(Layers.upsampleNearest2x());
    }
    decoder.add(Layers.conv2d(1, 3, 1)).add(Activation.sigmoidBlock());
    return new SequentialBlock().add(encoder).add(decoder);
  }

  private static Block classifier3d(int base, int levels, int convs, int outputs, String head, String trunk) {
    int[] groups = trunkGroups(trunk, outputs);
    if (groups.length > 1) {
      List<Block> nets = new ArrayList<>();
      for (int g : groups) {
        nets.add("classmap".equals(head) ? features(base, levels, convs).add(Layers.conv3d(g, 1))
            : classifier3d(base, levels, convs, g, head, "shared"));
      }
      // For classmap the evidence maps stay the second-to-last output, as for a shared trunk.
      return "classmap".equals(head)
          ? new SequentialBlock().add(sideBySide(nets)).add(new LambdaBlock(Architecture::smoothMax, "smoothMax"))
          : sideBySide(nets);
    }
    SequentialBlock net = features(base, levels, convs);
    if ("classmap".equals(head)) {
      return net.add(Layers.conv3d(outputs, 1)).add(new LambdaBlock(Architecture::smoothMax, "smoothMax"));
    }
    Block pool;
    switch (head) {
      case "max":
        pool = Pool.globalMaxPool3dBlock();
        break;
      case "avgmax":
        pool = sideBySide(List.of(Pool.globalAvgPool3dBlock(), Pool.globalMaxPool3dBlock()));
        break;
      default:
        pool = Pool.globalAvgPool3dBlock();
    }
    return net.add(pool).add(Linear.builder().setUnits(outputs).build());
  }

  /** The classifier's convolution levels: {@code convs} 3x3x3 convolutions per level, max pooling between. */
  private static SequentialBlock features(int base, int levels, int convs) {
    SequentialBlock net = new SequentialBlock().add(Layers.centre());
    for (int l = 0; l < levels; l++) {
      if (l > 0) {
        net.add(Layers.maxPool3dHalf());
      }
      for (int c = 0; c < convs; c++) {
        net.add(Layers.conv3d(base << l, 3)).add(Activation.reluBlock());
      }
    }
    return net;
  }

  /** The blocks on the same input, their outputs concatenated along the channels. */
  private static Block sideBySide(List<Block> blocks) {
    return new ParallelBlock(outs -> {
      NDList all = new NDList();
      outs.forEach(o -> all.add(o.singletonOrThrow()));
      return new NDList(NDArrays.concat(all, 1));
    }, blocks);
  }

  /** [B, K, D, H, W] evidence maps to [B, K]: (1/r) log mean exp(r x), computed stably about the max. */
  private static NDList smoothMax(NDList in) {
    NDArray maps = in.singletonOrThrow();
    NDArray flat = maps.reshape(maps.getShape().get(0), maps.getShape().get(1), -1);
    NDArray top = flat.max(new int[] {2}, true).stopGradient();
    NDArray mean = flat.sub(top).mul(CLASSMAP_SHARPNESS).exp().mean(new int[] {2}, true);
    return new NDList(mean.log().div(CLASSMAP_SHARPNESS).add(top).squeeze(2));
  }

  /** Level {@code level} of a U-Net; the top level ends in a 1x1x1 convolution to class logits. */
  private static Block unet(int ch, int level, int levels, int classes) {
    SequentialBlock block = new SequentialBlock()
        .add(Layers.conv3d(ch, 3)).add(Activation.reluBlock())
        .add(Layers.conv3d(ch, 3)).add(Activation.reluBlock());
    if (level < levels - 1) {
      SequentialBlock inner = new SequentialBlock()
          .add(Layers.maxPool3dHalf())
          .add(unet(ch * 2, level + 1, levels, 0))
          .add(Layers.upsampleNearest2x());
      block.add(sideBySide(List.of(Blocks.identityBlock(), inner)))
          .add(Layers.conv3d(ch, 3)).add(Activation.reluBlock());
    }
    if (level == 0) {
      block.add(Layers.conv3d(classes, 1));
    }
    return block;
  }
}
