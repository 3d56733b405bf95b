package dev.ctshift.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.model.ModelLoadException;
import dev.ctshift.model.Models;
import dev.ctshift.model.SliceAutoencoder;
import dev.ctshift.model.VolumeModel;
import dev.ctshift.shift.Objective;
import dev.ctshift.train.Metrics;
import dev.ctshift.train.data.FindingTable;
import dev.ctshift.train.data.ModelSpaceLoader;
import dev.ctshift.train.data.ModelSpaceScan;
import dev.ctshift.train.data.Reconstructions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Figures of a trained autoencoder, classifier and segmenter on held-out scans, as
 * {@code scripts/make_demo_models} reports them: autoencoder PSNR/SSIM (model space, data range 1),
 * classifier ROC AUC per output, segmenter Dice of its score class, and the reconstruction gap
 * (classifier probability on the scan minus that on its autoencoder reconstruction). Scans are
 * preprocessed with the classifier's manifest, every slice kept, exactly as {@code ctshift explain}
 * does. Owns the three loaded models; not thread-safe.
 */
public final class DemoEvaluation implements AutoCloseable {
  private final SliceAutoencoder autoencoder;
  private final VolumeModel classifier;
  private final VolumeModel segmenter;
  private final ModelSpaceLoader loader;
  private final List<Objective> findings = new ArrayList<>();
  /** Resamples of the bootstrap interval of each held-out AUC (seed 1). */
  private static final int BOOTSTRAP_RESAMPLES = 1000;
  private final Objective segmentClass;
  private final Device device;

  /**
   * Loads the three model directories.
   *
   * @throws ModelLoadException if a model does not load or is of the wrong kind
   */
  public DemoEvaluation(Path autoencoderDir, Path classifierDir, Path segmenterDir, Device device)
      throws ModelLoadException {
    this.device = device;
    this.autoencoder = Models.loadAutoencoder(autoencoderDir, device);
    VolumeModel c = null;
    try {
      c = Models.loadVolumeModel(classifierDir, device);
      this.segmenter = Models.loadVolumeModel(segmenterDir, device);
    } catch (ModelLoadException e) {
      autoencoder.close();
      if (c != null) {
        c.close();
      }
      throw e;
    }
    this.classifier = c;
    for (String name : classifier.manifest().outputs()) {
      findings.add(Objective.of(classifier.manifest(), name));
    }
    this.segmentClass = Objective.of(segmenter.manifest(), null);
    this.loader = new ModelSpaceLoader(classifier.manifest().input(), Runtime.getRuntime().availableProcessors());
  }

  /**
   * Figures on held-out scans with a labels table (targets: the classifier's outputs) and label maps
   * (the segmenter's score class is label code 1, aerated lung).
   *
   * @throws CtShiftException if a scan, label map or the table cannot be read
   */
  public JsonObject heldOut(List<Path> scans, Path labelsCsv, Consumer<String> progress) throws CtShiftException {
    FindingTable table = FindingTable.read(labelsCsv, classifier.manifest().outputs());
    List<ModelSpaceScan> loaded = loader.load(scans, new int[] {1}, progress);
    int k = findings.size();
    int n = loaded.size();
    double[][] onScan = new double[k][n];
    double[][] onRecon = new double[k][n];
    boolean[][] positive = new boolean[k][n];
    double psnr = 0;
    double ssim = 0;
    double dice = 0;
    long both = 0;
    long predicted = 0;
    long reference = 0;
    for (int s = 0; s < n; s++) {
      ModelSpaceScan scan = loaded.get(s);
      float[] truth = table.targets(scan.id());
      if (truth == null) {
        throw new CtShiftException(scan.source() + ": id '" + scan.id() + "' has no row in " + labelsCsv);
      }
      float[] recon = reconstruct(scan);
      psnr += Metrics.psnr(scan.values(), recon, 1);
      ssim += meanSliceSsim(scan, recon);
      double[] p = classify(scan, scan.values());
      double[] q = classify(scan, recon);
      for (int f = 0; f < k; f++) {
        onScan[f][s] = p[f];
        onRecon[f][s] = q[f];
        positive[f][s] = truth[f] == 1;
      }
      int[] classes = segment(scan);
      int[] lung = new int[classes.length];
      for (int v = 0; v < lung.length; v++) {
        lung[v] = scan.classes()[v] == 1 ? 1 : 0;
        boolean pr = classes[v] == segmentClass.index();
        predicted += pr ? 1 : 0;
        reference += lung[v];
        both += pr && lung[v] == 1 ? 1 : 0;
        classes[v] = pr ? 1 : 0;
      }
      dice += Metrics.dice(lung, classes, 1);
      if ((s + 1) % 25 == 0) {
        progress.accept("evaluated " + (s + 1) + "/" + n + " held-out scans");
      }
    }
    JsonObject r = new JsonObject();
    r.addProperty("held_out_scans", n);
    JsonObject ae = new JsonObject();
    ae.addProperty("psnr_db", round(psnr / n));
    ae.addProperty("ssim", round(ssim / n));
    r.add("autoencoder", ae);
    JsonObject auc = new JsonObject();
    JsonObject interval = new JsonObject();
    JsonObject aucRecon = new JsonObject();
    JsonObject positives = new JsonObject();
    JsonObject gap = new JsonObject();
    JsonObject gapSigned = new JsonObject();
    double gapAll = 0;
    for (int f = 0; f < k; f++) {
      String name = findings.get(f).name();
      auc.addProperty(name, round(Metrics.rocAuc(onScan[f], positive[f])));
      JsonArray bounds = new JsonArray();
      for (double b : Metrics.rocAucInterval(onScan[f], positive[f], BOOTSTRAP_RESAMPLES, 0.95, 1)) {
        bounds.add(round(b));
      }
      interval.add(name, bounds);
      aucRecon.addProperty(name, round(Metrics.rocAuc(onRecon[f], positive[f])));
      int pos = 0;
      double absGap = 0;
      double signed = 0;
      for (int s = 0; s < n; s++) {
        pos += positive[f][s] ? 1 : 0;
        absGap += Math.abs(onScan[f][s] - onRecon[f][s]);
        signed += onScan[f][s] - onRecon[f][s];
      }
      positives.addProperty(name, pos);
      gap.addProperty(name, round(absGap / n));
      gapSigned.addProperty(name, round(signed / n));
      gapAll += absGap / n / k;
    }
    JsonObject c = new JsonObject();
    c.add("roc_auc", auc);
    c.add("roc_auc_ci95", interval);
    int nodule = classifier.manifest().outputs().indexOf("nodule");
    Map<String, Double> largest = largestNoduleMm(labelsCsv);
    if (nodule >= 0 && !largest.isEmpty()) {
      c.add("nodule_roc_auc_by_largest_mm", byNoduleSize(loaded, onScan[nodule], largest));
    }
    c.add("roc_auc_on_reconstructions", aucRecon);
    c.add("positives", positives);
    // Per-scan probabilities, so that figures can be broken down by any column of the labels table.
    JsonObject perScan = new JsonObject();
    for (int s = 0; s < n; s++) {
      JsonArray p = new JsonArray();
      for (int f = 0; f < k; f++) {
        p.add(Math.round(onScan[f][s] * 1e6) / 1e6);
      }
      perScan.add(loaded.get(s).id(), p);
    }
    c.add("probabilities", perScan);
    r.add("classifier", c);
    JsonObject g = new JsonObject();
    g.add("mean_abs", gap);
    g.addProperty("mean_abs_all", round(gapAll));
    g.add("mean_signed", gapSigned);
    r.add("reconstruction_gap", g);
    JsonObject seg = new JsonObject();
    seg.addProperty("class", segmentClass.name());
    seg.addProperty("dice_mean_per_scan", round(dice / n));
    seg.addProperty("dice_pooled", round(Metrics.dice(both, predicted, reference)));
    r.add("segmenter", seg);
    return r;
  }

  /**
   * The nodule output's AUC for the positive scans whose largest nodule is below 14 mm, 14-18 mm and
   * from 18 mm, each against all nodule-free scans (largest 0): small nodules are what a 6 mm model
   * grid misses, and a set's AUC follows how many it holds.
   */
  private static JsonObject byNoduleSize(List<ModelSpaceScan> scans, double[] p, Map<String, Double> largest) {
    double[] edges = {0, 14, 18, Double.POSITIVE_INFINITY};
    String[] names = {"below_14", "14_to_18", "from_18"};
    List<Double> negatives = new ArrayList<>();
    for (int s = 0; s < scans.size(); s++) {
      if (largest.getOrDefault(scans.get(s).id(), Double.NaN) == 0) {
        negatives.add(p[s]);
      }
    }
    JsonObject r = new JsonObject();
    r.addProperty("negatives", negatives.size());
    for (int b = 0; b < names.length; b++) {
      List<Double> scores = new ArrayList<>(negatives);
      List<Boolean> positive = new ArrayList<>(Collections.nCopies(negatives.size(), false));
      for (int s = 0; s < scans.size(); s++) {
        double mm = largest.getOrDefault(scans.get(s).id(), Double.NaN);
        if (mm > 0 && mm >= edges[b] && mm < edges[b + 1]) {
          scores.add(p[s]);
          positive.add(true);
        }
      }
      boolean[] y = new boolean[positive.size()];
      for (int i = 0; i < y.length; i++) {
        y[i] = positive.get(i);
      }
      JsonObject bin = new JsonObject();
      bin.addProperty("positives", y.length - negatives.size());
      bin.addProperty("roc_auc", round(Metrics.rocAuc(scores.stream().mapToDouble(Double::doubleValue).toArray(), y)));
      r.add(names[b], bin);
    }
    return r;
  }

  /**
   * Per id, the largest of the {@code ;}-separated diameters in the phantom column
   * {@code nodule_diameters_mm} (0 when empty); empty when the table has no such column.
   */
  private static Map<String, Double> largestNoduleMm(Path csv) throws CtShiftException {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new CtShiftException(csv + ": cannot read the labels table: " + e.getMessage(), e);
    }
    List<String> header = List.of(lines.get(0).split(",", -1));
    int id = header.indexOf("id");
    int column = header.indexOf("nodule_diameters_mm");
    Map<String, Double> largest = new HashMap<>();
    for (int n = 1; column >= 0 && n < lines.size(); n++) {
      String[] f = lines.get(n).split(",", -1);
      if (f.length != header.size()) {
        continue; // FindingTable has already refused malformed rows
      }
      double max = 0;
      for (String d : f[column].split(";")) {
        if (!d.isBlank()) {
          try {
            max = Math.max(max, Double.parseDouble(d.trim()));
          } catch (NumberFormatException e) {
            throw new CtShiftException(csv + " line " + (n + 1) + ": nodule_diameters_mm must hold numbers"
                + " separated by ';', got '" + f[column] + "'");
          }
        }
      }
      largest.put(f[id].trim(), max);
    }
    return largest;
  }

  /**
   * Autoencoder PSNR and SSIM per scan (e.g. real CT, preprocessed like the phantoms).
   *
   * @throws VolumeReadException if a scan cannot be read
   */
  public JsonObject autoencoderOn(List<Path> scans, Consumer<String> progress) throws VolumeReadException {
    JsonArray each = new JsonArray();
    double sum = 0;
    for (ModelSpaceScan scan : loader.load(scans, null, progress)) {
      float[] recon = reconstruct(scan);
      JsonObject o = new JsonObject();
      o.addProperty("scan", scan.source().toString());
      o.addProperty("model_space", scan.depth() + "x" + scan.height() + "x" + scan.width());
      double psnr = Metrics.psnr(scan.values(), recon, 1);
      o.addProperty("psnr_db", round(psnr));
      o.addProperty("ssim", round(meanSliceSsim(scan, recon)));
      each.add(o);
      sum += psnr;
    }
    JsonObject r = new JsonObject();
    r.addProperty("psnr_db_mean", round(sum / scans.size()));
    r.add("scans", each);
    return r;
  }

  /**
   * Scores of each sample scan, keyed by its id: classifier probabilities per output on the scan and
   * on its reconstruction, the segmenter's score (soft voxel fraction of its class) and the
   * autoencoder's PSNR. Values unrounded, for regression tests.
   *
   * @throws VolumeReadException if a scan cannot be read
   */
  public JsonObject sampleScores(List<Path> samples) throws VolumeReadException {
    JsonObject all = new JsonObject();
    for (Path file : samples) {
      ModelSpaceScan scan = loader.load(file, null);
      float[] recon = reconstruct(scan);
      JsonObject o = new JsonObject();
      o.addProperty("model_space", scan.depth() + "x" + scan.height() + "x" + scan.width());
      JsonObject p = new JsonObject();
      JsonObject q = new JsonObject();
      double[] onScan = classify(scan, scan.values());
      double[] onRecon = classify(scan, recon);
      for (int f = 0; f < findings.size(); f++) {
        p.addProperty(findings.get(f).name(), onScan[f]);
        q.addProperty(findings.get(f).name(), onRecon[f]);
      }
      o.add("classifier", p);
      o.add("classifier_on_reconstruction", q);
      o.addProperty("segmenter_" + segmentClass.name() + "_fraction", segmenterScore(scan));
      o.addProperty("autoencoder_psnr_db", Metrics.psnr(scan.values(), recon, 1));
      all.add(scan.id(), o);
    }
    JsonObject r = new JsonObject();
    r.addProperty("note", "written by scripts/make_demo_models; checked by DemoModelsTest within 1e-4");
    r.add("samples", all);
    return r;
  }

  /** The autoencoder's reconstruction of every slice (C order, like {@code scan.values()}). */
  public float[] reconstruct(ModelSpaceScan scan) {
    return Reconstructions.of(autoencoder, scan, device);
  }

  /** Classifier probabilities (per output) of {@code values} on the grid of {@code scan}. */
  public double[] classify(ModelSpaceScan scan, float[] values) {
    try (NDManager m = NDManager.newBaseManager(device)) {
      NDArray out = classifier.forward(volume(m, scan, values), false);
      double[] p = new double[findings.size()];
      for (int f = 0; f < p.length; f++) {
        p[f] = findings.get(f).score(findings.get(f).link(out).getFloat());
      }
      return p;
    }
  }

  private int[] segment(ModelSpaceScan scan) {
    try (NDManager m = NDManager.newBaseManager(device)) {
      long[] c = segmenter.forward(volume(m, scan, scan.values()), false).argMax(1).toLongArray();
      int[] classes = new int[c.length];
      for (int v = 0; v < c.length; v++) {
        classes[v] = (int) c[v];
      }
      return classes;
    }
  }

  private double segmenterScore(ModelSpaceScan scan) {
    try (NDManager m = NDManager.newBaseManager(device)) {
      NDArray out = segmenter.forward(volume(m, scan, scan.values()), false);
      return segmentClass.score(segmentClass.link(out).getFloat());
    }
  }

  private static NDArray volume(NDManager m, ModelSpaceScan scan, float[] values) {
    return m.create(values, new Shape(1, 1, scan.depth(), scan.height(), scan.width()));
  }

  private static double meanSliceSsim(ModelSpaceScan scan, float[] recon) {
    int plane = scan.height() * scan.width();
    double sum = 0;
    for (int d = 0; d < scan.depth(); d++) {
      sum += Metrics.ssim(java.util.Arrays.copyOfRange(scan.values(), d * plane, (d + 1) * plane),
          java.util.Arrays.copyOfRange(recon, d * plane, (d + 1) * plane), scan.height(), scan.width());
    }
    return sum / scan.depth();
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Double.parseDouble(String.format(Locale.ROOT, "%.4f", v)) : v;
  }

  @Override
  public void close() {
    autoencoder.close();
    classifier.close();
    segmenter.close();
  }
}
