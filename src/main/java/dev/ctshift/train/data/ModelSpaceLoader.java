package dev.ctshift.train.data;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.model.ModelManifest;
import dev.ctshift.volume.Volume;
import dev.ctshift.volume.transform.DivisiblePadDepth;
import dev.ctshift.volume.transform.Orient;
import dev.ctshift.volume.transform.Preprocessing;
import dev.ctshift.volume.transform.ResizeWithPadOrCrop;
import dev.ctshift.volume.transform.Spacing;
import dev.ctshift.volume.transform.VolumeTransform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Reads NIfTI scans (HU) and brings them into a model's input space with
 * {@link ModelManifest.Input#preprocessing()}, exactly as {@code ctshift explain} does, on several threads.
 * Only the small model-space arrays are kept.
 *
 * <p>Label maps ({@link ScanFiles#labelMapOf}) go through the same spatial steps (orient, resample,
 * pad/crop in-plane and in depth): each requested label becomes an indicator volume that is
 * resampled trilinearly (a voxel's fraction of that label), and every model-space voxel takes the
 * class with the largest fraction, the background being one minus their sum.
 */
public final class ModelSpaceLoader {
  private final Preprocessing scanSteps;
  private final Preprocessing labelSteps;
  private final int threads;

  /**
   * @param input the model's input geometry and intensity window
   * @param threads scans read and preprocessed in parallel, >= 1
   * @throws IllegalArgumentException if {@code threads < 1}
   */
  public ModelSpaceLoader(ModelManifest.Input input, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.scanSteps = input.preprocessing();
    List<VolumeTransform> spatial = new ArrayList<>();
    spatial.add(new Orient(input.orientation()));
    if (input.spacingMm() != null) {
      spatial.add(new Spacing(input.spacingMm()));
    }
    if (input.size() != null) {
      spatial.add(new ResizeWithPadOrCrop(input.size()[0], input.size()[1], 0f));
    }
    if (input.depthMultiple() > 1) {
      spatial.add(new DivisiblePadDepth(input.depthMultiple(), 0f));
    }
    this.labelSteps = new Preprocessing(spatial);
    this.threads = threads;
  }

  /**
   * Loads {@code scans} in order.
   *
   * @param labelCodes label values of the classes wanted from each scan's label map (class i + 1 is
   *     code {@code labelCodes[i]}), or null to read no label maps
   * @param progress receives "loaded k/n" lines
   * @throws VolumeReadException naming the file if a scan or label map is missing, unreadable, or a
   *     label map is not on its scan's grid
   * @throws IllegalArgumentException if {@code labelCodes} is empty
   */
  public List<ModelSpaceScan> load(List<Path> scans, int[] labelCodes, Consumer<String> progress)
      throws VolumeReadException {
    requireCodes(labelCodes);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger done = new AtomicInteger();
    try {
      List<Future<ModelSpaceScan>> futures = new ArrayList<>();
      for (Path scan : scans) {
        futures.add(pool.submit(() -> {
          ModelSpaceScan s = load(scan, labelCodes);
          int n = done.incrementAndGet();
          if (n % 50 == 0 || n == scans.size()) {
            progress.accept("loaded " + n + "/" + scans.size() + " scans");
          }
          return s;
        }));
      }
      List<ModelSpaceScan> result = new ArrayList<>();
      for (Future<ModelSpaceScan> f : futures) {
        result.add(f.get());
      }
      return result;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof VolumeReadException v) {
        throw v;
      }
      throw new IllegalStateException("loading scans failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VolumeReadException("interrupted while loading scans", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * One scan (and its label map when {@code labelCodes} is not null).
   *
   * @throws VolumeReadException as {@link #load(List, int[], Consumer)}
   * @throws IllegalArgumentException if {@code labelCodes} is empty
   */
  public ModelSpaceScan load(Path scan, int[] labelCodes) throws VolumeReadException {
    requireCodes(labelCodes);
    Volume hu = NiftiReader.readVolume(scan);
    Volume x = scanSteps.prepare(hu).volume();
    int[] classes = null;
    if (labelCodes != null) {
      Path labelFile = ScanFiles.labelMapOf(scan);
      if (!Files.isRegularFile(labelFile)) {
        throw new VolumeReadException(scan + ": no label map " + labelFile.getFileName() + " beside the scan");
      }
      Volume labels = NiftiReader.readVolume(labelFile);
      if (!labels.sameGeometry(hu, 1e-3)) {
        throw new VolumeReadException(labelFile + ": the label map's grid " + labels + " differs from its scan's "
            + hu);
      }
      classes = classes(labels, labelCodes);
    }
    return new ModelSpaceScan(ScanFiles.id(scan), scan, x.nz(), x.ny(), x.nx(), x.data(), classes);
  }

  private static void requireCodes(int[] labelCodes) {
    if (labelCodes != null && labelCodes.length == 0) {
      throw new IllegalArgumentException("label codes must not be empty (pass null for none)");
    }
  }

  private int[] classes(Volume labels, int[] codes) {
    float[] best = null;
    int[] classes = null;
    float[] foreground = null;
    for (int c = 0; c < codes.length; c++) {
      float[] indicator = new float[labels.voxelCount()];
      float[] source = labels.data();
      for (int v = 0; v < indicator.length; v++) {
        indicator[v] = Math.round(source[v]) == codes[c] ? 1f : 0f;
      }
      float[] fraction = labelSteps.prepare(labels.withData(indicator)).volume().data();
      if (classes == null) {
        best = new float[fraction.length];
        classes = new int[fraction.length];
        foreground = new float[fraction.length];
      }
      for (int v = 0; v < fraction.length; v++) {
        foreground[v] += fraction[v];
        if (fraction[v] > best[v]) {
          best[v] = fraction[v];
          classes[v] = c + 1;
        }
      }
    }
    for (int v = 0; v < classes.length; v++) {
      if (1 - foreground[v] >= best[v]) {
        classes[v] = 0;
      }
    }
    return classes;
  }

  /** The preprocessing applied to scans. */
  public Preprocessing preprocessing() {
    return scanSteps;
  }
}
