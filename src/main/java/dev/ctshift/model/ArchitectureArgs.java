package dev.ctshift.model;

import com.google.gson.JsonObject;
import dev.ctshift.model.ModelManifest.Kind;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The typed {@code architecture_args} of a DJL-native network, one record per architecture, with its
 * defaults and checks. {@link ModelManifest} reads and writes them; {@code model.djl.Architecture}
 * builds the network from them. The record components carry the manifest's names in camel case.
 *
 * <pre>{@code
 * SliceAe args = SliceAe.DEFAULTS.withLevels(1).withLatentChannels(2);
 * ModelManifest.builder().setName("ae").optArchitecture(args) ...
 * SliceAe read = ModelManifest.read(dir).architectureArgs(SliceAe.class);
 * }</pre>
 */
public sealed interface ArchitectureArgs {

  /** The architecture's name in {@code model.json}, e.g. {@code "slice-ae"}. */
  String architecture();

  /** What a network of this architecture is. */
  Kind kind();

  /** Channels of the first level; each further level doubles them. */
  int baseChannels();

  /** Number of resolution levels. */
  int levels();

  /** All the arguments as {@code architecture_args} JSON, keys in alphabetical order. */
  default JsonObject toJson() {
    return ModelManifestJson.writeArgs(this, null);
  }

  /**
   * The {@code architecture_args} JSON of {@code architecture} over its defaults, e.g. from a training
   * checkpoint.
   *
   * @throws IllegalArgumentException naming the argument if the architecture or an argument is unknown or a
   *     value is bad
   */
  static ArchitectureArgs fromJson(String architecture, JsonObject json) {
    return ModelManifestJson.parseArgs(architecture, json);
  }

  /**
   * {@code slice-ae}: 2D slice autoencoder.
   *
   * @param baseChannels channels of the first level (16)
   * @param latentChannels latent channels (8)
   * @param levels downsampling levels (3): H and W must be multiples of {@code 2^levels}
   * @param decoderKernel odd kernel size of the decoder's convolutions below full resolution (3)
   */
  record SliceAe(int baseChannels, int latentChannels, int levels, int decoderKernel) implements ArchitectureArgs {
    /** The name in {@code model.json}. */
    public static final String ID = "slice-ae";
    /** The defaults. */
    public static final SliceAe DEFAULTS = new SliceAe(16, 8, 3, 3);

    /** @throws IllegalArgumentException naming the argument if one is not a positive integer, or the kernel even */
    public SliceAe {
      positive(ID, "base_channels", baseChannels);
      positive(ID, "latent_channels", latentChannels);
      positive(ID, "levels", levels);
      positive(ID, "decoder_kernel", decoderKernel);
      if (decoderKernel % 2 == 0) {
        throw new IllegalArgumentException(ID + ": architecture argument decoder_kernel must be odd, got "
            + decoderKernel);
      }
    }

    @Override
    public String architecture() {
      return ID;
    }

    @Override
    public Kind kind() {
      return Kind.AUTOENCODER;
    }

    /** The multiple that slice height and width must have: {@code 2^levels}. */
    public int sizeMultiple() {
      return 1 << levels;
    }

    public SliceAe withBaseChannels(int v) {
      return new SliceAe(v, latentChannels, levels, decoderKernel);
    }

    public SliceAe withLatentChannels(int v) {
      return new SliceAe(baseChannels, v, levels, decoderKernel);
    }

    public SliceAe withLevels(int v) {
      return new SliceAe(baseChannels, latentChannels, v, decoderKernel);
    }

    public SliceAe withDecoderKernel(int v) {
      return new SliceAe(baseChannels, latentChannels, levels, v);
    }
  }

  /**
   * {@code classifier3d}: 3D classifier to {@code outputs} logits (see {@code model.djl.Architecture}).
   *
   * @param baseChannels channels of the first level (8)
   * @param levels convolution levels, max pooling between them (3)
   * @param convs convolutions per level (1)
   * @param outputs logits (1)
   * @param head {@code avg}, {@code max}, {@code avgmax} or {@code classmap} ({@code avg})
   * @param trunk {@code shared}, {@code per-output} or output group sizes such as {@code 2+1}
   *     ({@code shared})
   */
  record Classifier3d(int baseChannels, int levels, int convs, int outputs, String head, String trunk)
      implements ArchitectureArgs {
    /** The name in {@code model.json}. */
    public static final String ID = "classifier3d";
    /** The values {@code head} may take. */
    public static final List<String> HEADS = List.of("avg", "max", "avgmax", "classmap");
    private static final Pattern TRUNK = Pattern.compile("shared|per-output|[1-9]\\d*(\\+[1-9]\\d*)+");
    /** The defaults. */
    public static final Classifier3d DEFAULTS = new Classifier3d(8, 3, 1, 1, "avg", "shared");

    /**
     * @throws IllegalArgumentException naming the argument if a count is not positive, the head unknown,
     *     or the trunk malformed or its groups do not add up to the outputs
     */
    public Classifier3d {
      positive(ID, "base_channels", baseChannels);
      positive(ID, "levels", levels);
      positive(ID, "convs", convs);
      positive(ID, "outputs", outputs);
      if (!HEADS.contains(head)) {
        throw new IllegalArgumentException(ID + ": architecture argument head must be one of " + HEADS + ", got "
            + head);
      }
      if (trunk == null || !TRUNK.matcher(trunk).matches()) {
        throw new IllegalArgumentException(ID + ": architecture argument trunk must be shared, per-output or"
            + " output group sizes such as 2+1, got " + trunk);
      }
      trunkGroups(trunk, outputs);
    }

    @Override
    public String architecture() {
      return ID;
    }

    @Override
    public Kind kind() {
      return Kind.CLASSIFIER;
    }

    /** The output group sizes of the trunk: one group for shared, one per output for per-output. */
    public int[] trunkGroups() {
      return trunkGroups(trunk, outputs);
    }

    private static int[] trunkGroups(String trunk, int outputs) {
      if (trunk.equals("shared")) {
        return new int[] {outputs};
      }
      if (trunk.equals("per-output")) {
        int[] ones = new int[outputs];
        Arrays.fill(ones, 1);
        return ones;
      }
      int[] groups = Arrays.stream(trunk.split("\\+")).mapToInt(Integer::parseInt).toArray();
      if (Arrays.stream(groups).sum() != outputs) {
        throw new IllegalArgumentException(ID + ": trunk groups " + trunk + " must add up to the " + outputs
            + " outputs");
      }
      return groups;
    }

    public Classifier3d withBaseChannels(int v) {
      return new Classifier3d(v, levels, convs, outputs, head, trunk);
    }

    public Classifier3d withLevels(int v) {
      return new Classifier3d(baseChannels, v, convs, outputs, head, trunk);
    }

    public Classifier3d withConvs(int v) {
      return new Classifier3d(baseChannels, levels, v, outputs, head, trunk);
    }

    /** With {@code v} outputs; a trunk of output groups must then be given anew (see {@link #withTrunk}). */
    public Classifier3d withOutputs(int v) {
      return new Classifier3d(baseChannels, levels, convs, v, head, trunk);
    }

    public Classifier3d withHead(String v) {
      return new Classifier3d(baseChannels, levels, convs, outputs, v, trunk);
    }

    public Classifier3d withTrunk(String v) {
      return new Classifier3d(baseChannels, levels, convs, outputs, head, v);
    }

    /** With {@code v} outputs and trunk {@code t} at once (a group trunk must fit the outputs). */
    public Classifier3d withOutputsAndTrunk(int v, String t) {
      return new Classifier3d(baseChannels, levels, convs, v, head, t);
    }
  }

  /**
   * {@code segmenter3d}: U-Net-lite to {@code classes} logit maps.
   *
   * @param baseChannels channels of the first level (8)
   * @param levels U-Net levels (2)
   * @param classes classes (2)
   */
  record Segmenter3d(int baseChannels, int levels, int classes) implements ArchitectureArgs {
    /** The name in {@code model.json}. */
    public static final String ID = "segmenter3d";
    /** The defaults. */
    public static final Segmenter3d DEFAULTS = new Segmenter3d(8, 2, 2);

    /** @throws IllegalArgumentException naming the argument if one is not a positive integer */
    public Segmenter3d {
      positive(ID, "base_channels", baseChannels);
      positive(ID, "levels", levels);
      positive(ID, "classes", classes);
    }

    @Override
    public String architecture() {
      return ID;
    }

    @Override
    public Kind kind() {
      return Kind.SEGMENTER;
    }

    public Segmenter3d withBaseChannels(int v) {
      return new Segmenter3d(v, levels, classes);
    }

    public Segmenter3d withLevels(int v) {
      return new Segmenter3d(baseChannels, v, classes);
    }

    public Segmenter3d withClasses(int v) {
      return new Segmenter3d(baseChannels, levels, v);
    }
  }

  /** The defaults of every architecture, in the order they are listed to users. */
  static List<ArchitectureArgs> allDefaults() {
    // A method, not a constant: the records' constructors initialise this interface.
    return List.of(SliceAe.DEFAULTS, Classifier3d.DEFAULTS, Segmenter3d.DEFAULTS);
  }

  /**
   * The defaults of the architecture called {@code id}.
   *
   * @throws IllegalArgumentException naming the allowed values if there is none
   */
  static ArchitectureArgs defaults(String id) {
    for (ArchitectureArgs a : allDefaults()) {
      if (a.architecture().equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown architecture '" + id + "', expected one of "
        + allDefaults().stream().map(ArchitectureArgs::architecture).toList());
  }

  private static void positive(String id, String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(id + ": architecture argument " + name + " must be a positive integer, got "
          + value);
    }
  }
}
