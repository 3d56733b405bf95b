package dev.ctshift.train.data;

import dev.ctshift.CtShiftException;
import dev.ctshift.train.LabelledVolumes;
import dev.ctshift.train.SegmentedVolumes;
import dev.ctshift.train.SliceDataset;
import dev.ctshift.train.VolumeDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns model-space scans into the datasets of the trainers. The 3D trainers need one depth: scans
 * with another number of slices are cropped or padded (with {@code pad}, and background labels)
 * symmetrically about their middle slice; the odd slice of an odd difference is cropped or padded at
 * the top (highest k).
 * All methods copy the data they return.
 */
public final class TrainingSets {
  private TrainingSets() {}

  /** The most frequent depth among {@code scans} (the larger one on a tie). */
  public static int commonDepth(List<ModelSpaceScan> scans) {
    Map<Integer, Integer> counts = new TreeMap<>();
    scans.forEach(s -> counts.merge(s.depth(), 1, Integer::sum));
    int best = -1;
    int bestCount = 0;
    for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
      if (e.getValue() >= bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }

  /** How many of {@code scans} have a depth other than {@code depth}. */
  public static long adjusted(List<ModelSpaceScan> scans, int depth) {
    return scans.stream().filter(s -> s.depth() != depth).count();
  }

  /**
   * Every axial slice of every scan.
   *
   * @throws CtShiftException if the scans differ in in-plane size
   */
  public static SliceDataset slices(List<ModelSpaceScan> scans) throws CtShiftException {
    requireSamePlane(scans);
    int plane = scans.get(0).height() * scans.get(0).width();
    List<float[]> slices = new ArrayList<>();
    for (ModelSpaceScan s : scans) {
      for (int d = 0; d < s.depth(); d++) {
        slices.add(Arrays.copyOfRange(s.values(), d * plane, (d + 1) * plane));
      }
    }
    return SliceDataset.of(scans.get(0).height(), scans.get(0).width(), slices);
  }

  /**
   * The scans as volumes of {@code depth} slices.
   *
   * @throws CtShiftException if the scans differ in in-plane size
   */
  public static VolumeDataset volumes(List<ModelSpaceScan> scans, int depth, float pad) throws CtShiftException {
    requireSamePlane(scans);
    List<float[]> volumes = new ArrayList<>();
    for (ModelSpaceScan s : scans) {
      volumes.add(toDepth(s.values(), s, depth, pad));
    }
    return VolumeDataset.of(depth, scans.get(0).height(), scans.get(0).width(), volumes);
  }

  /**
   * The scans with their rows of {@code table}.
   *
   * @throws CtShiftException if a scan's id is not in the table, or the scans differ in in-plane size
   */
  public static LabelledVolumes labelled(List<ModelSpaceScan> scans, int depth, float pad, FindingTable table)
      throws CtShiftException {
    return labelled(scans, depth, pad, table, new int[table.targets().size()]);
  }

  /**
   * The scans with their rows of {@code table} and, for the outputs with a region class, where the
   * finding is ({@link LabelledVolumes#regions()}: the scans' class maps).
   *
   * @param regionClass per target of the table, the class of {@link ModelSpaceScan#classes()} that
   *     marks its finding, or 0 for none
   * @throws CtShiftException if a scan's id is not in the table, or the scans differ in in-plane size
   * @throws IllegalArgumentException if some region class is set and a scan was loaded without its
   *     label map
   */
  public static LabelledVolumes labelled(List<ModelSpaceScan> scans, int depth, float pad, FindingTable table,
      int[] regionClass) throws CtShiftException {
    boolean withRegions = Arrays.stream(regionClass).anyMatch(c -> c > 0);
    List<float[]> labels = new ArrayList<>();
    List<int[]> regions = new ArrayList<>();
    for (ModelSpaceScan s : scans) {
      float[] row = table.targets(s.id());
      if (row == null) {
        throw new CtShiftException(s.source() + ": id '" + s.id() + "' has no row in " + table.file());
      }
      labels.add(row);
      if (withRegions) {
        regions.add(classMap(s, depth));
      }
    }
    return new LabelledVolumes(volumes(scans, depth, pad), table.targets(), labels, regions, regionClass);
  }

  /**
   * The scans with their class maps ({@link ModelSpaceScan#classes()}).
   *
   * @param classNames background first, then one name per label code the scans were loaded with
   * @throws CtShiftException if the scans differ in in-plane size
   * @throws IllegalArgumentException if a scan was loaded without label maps
   */
  public static SegmentedVolumes segmented(List<ModelSpaceScan> scans, int depth, float pad,
      List<String> classNames) throws CtShiftException {
    List<int[]> masks = new ArrayList<>();
    for (ModelSpaceScan s : scans) {
      masks.add(classMap(s, depth));
    }
    return new SegmentedVolumes(volumes(scans, depth, pad), classNames, masks);
  }

  /** The class map of {@code s} cropped or padded (with background) to {@code depth} slices. */
  private static int[] classMap(ModelSpaceScan s, int depth) {
    if (s.classes() == null) {
      throw new IllegalArgumentException(s.id() + " was loaded without its label map");
    }
    float[] asFloat = new float[s.classes().length];
    for (int v = 0; v < asFloat.length; v++) {
      asFloat[v] = s.classes()[v];
    }
    float[] fitted = toDepth(asFloat, s, depth, 0f);
    int[] map = new int[fitted.length];
    for (int v = 0; v < map.length; v++) {
      map[v] = (int) fitted[v];
    }
    return map;
  }

  /** {@code values} of scan {@code s} cropped or padded to {@code depth} slices about the middle. */
  static float[] toDepth(float[] values, ModelSpaceScan s, int depth, float pad) {
    int plane = s.height() * s.width();
    float[] out = new float[depth * plane];
    Arrays.fill(out, pad);
    // Slice d of the output is slice d + shift of the scan.
    int shift = (s.depth() - depth) / 2;
    for (int d = 0; d < depth; d++) {
      int source = d + shift;
      if (source >= 0 && source < s.depth()) {
        System.arraycopy(values, source * plane, out, d * plane, plane);
      }
    }
    return out;
  }

  private static void requireSamePlane(List<ModelSpaceScan> scans) throws CtShiftException {
    if (scans.isEmpty()) {
      throw new CtShiftException("no scans to train on");
    }
    ModelSpaceScan first = scans.get(0);
    for (ModelSpaceScan s : scans) {
      if (s.height() != first.height() || s.width() != first.width()) {
        throw new CtShiftException(s.source() + ": slices of " + s.height() + "x" + s.width() + " but "
            + first.source() + " has " + first.height() + "x" + first.width()
            + "; give an in-plane size (--size H W) so that all scans are padded or cropped alike");
      }
    }
  }
}
