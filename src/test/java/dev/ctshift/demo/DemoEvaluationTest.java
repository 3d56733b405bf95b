package dev.ctshift.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoEvaluationTest {
  @TempDir Path tmp;

  @Test
  void heldOutProbabilitiesAreTheRecordedSampleScoresAndGiveTheAuc() throws Exception {
    Path models = Path.of("models");
    Path expected = models.resolve("phantom-classifier/expected-scores.json");
    Assumptions.assumeTrue(Files.exists(expected), "demo models not built (scripts/make_demo_models)");
    String[] samples = {"phantom-effusion", "phantom-normal", "phantom-cardiomegaly"};
    List<Path> scans = new ArrayList<>();
    for (String s : samples) {
      Files.copy(Path.of("samples", s + ".nii.gz"), tmp.resolve(s + ".nii.gz"));
      Files.copy(Path.of("samples", s + "_labels.nii.gz"), tmp.resolve(s + "_labels.nii.gz"));
      scans.add(tmp.resolve(s + ".nii.gz"));
    }
    Path csv = tmp.resolve("labels.csv");
    Files.writeString(csv, "id,has_effusion,cardiomegaly,nodule_count,nodule_diameters_mm\n"
        + "phantom-effusion,1,0,0,\nphantom-normal,0,0,0,\nphantom-cardiomegaly,0,1,0,\n");

    JsonObject figures;
    try (DemoEvaluation e = new DemoEvaluation(models.resolve("phantom-ae"), models.resolve("phantom-classifier"),
        models.resolve("phantom-segmenter"), Device.cpu())) {
      figures = e.heldOut(scans, csv, s -> { });
    }
    JsonObject recorded = JsonParser.parseString(Files.readString(expected)).getAsJsonObject()
        .getAsJsonObject("samples");
    JsonObject probabilities = figures.getAsJsonObject("classifier").getAsJsonObject("probabilities");
    List<String> outputs = List.of("effusion", "cardiomegaly", "nodule");
    double[][] p = new double[outputs.size()][samples.length];
    for (int s = 0; s < samples.length; s++) {
      JsonArray row = probabilities.getAsJsonArray(samples[s]);
      for (int f = 0; f < outputs.size(); f++) {
        p[f][s] = row.get(f).getAsDouble();
        double want = recorded.getAsJsonObject(samples[s]).getAsJsonObject("classifier").get(outputs.get(f))
            .getAsDouble();
        assertEquals(want, p[f][s], 1e-4, samples[s] + " " + outputs.get(f));
      }
    }
    // One positive per finding: its AUC is the share of negatives it outscores.
    JsonObject auc = figures.getAsJsonObject("classifier").getAsJsonObject("roc_auc");
    for (int f = 0; f < 2; f++) {
      int positive = f == 0 ? 0 : 2;
      double above = 0;
      for (int s = 0; s < samples.length; s++) {
        if (s != positive) {
          above += p[f][positive] > p[f][s] ? 1 : p[f][positive] == p[f][s] ? 0.5 : 0;
        }
      }
      assertEquals(above / 2, auc.get(outputs.get(f)).getAsDouble(), 1e-9, outputs.get(f));
    }
    assertTrue(Double.isNaN(auc.get("nodule").getAsDouble()), "no nodule positives: AUC undefined");

    // The same scans labelled with a 20 mm (and a 9 mm) and a 12.5 mm nodule: by the largest, each
    // against the one without (p(nodule) 0.036 for the 12.5 mm one is below its 0.161: AUC 0).
    Files.writeString(csv, "id,has_effusion,cardiomegaly,nodule_count,nodule_diameters_mm\n"
        + "phantom-effusion,1,0,0,\nphantom-normal,0,0,2,9;20.0\nphantom-cardiomegaly,0,1,1,12.5\n");
    try (DemoEvaluation e = new DemoEvaluation(models.resolve("phantom-ae"), models.resolve("phantom-classifier"),
        models.resolve("phantom-segmenter"), Device.cpu())) {
      figures = e.heldOut(scans, csv, s -> { });
    }
    JsonObject bySize = figures.getAsJsonObject("classifier").getAsJsonObject("nodule_roc_auc_by_largest_mm");
    assertEquals(1, bySize.get("negatives").getAsInt());
    double[] nodule = p[2];
    assertEquals(nodule[2] > nodule[0] ? 1 : 0, bySize.getAsJsonObject("below_14").get("roc_auc").getAsDouble(), 0);
    assertEquals(nodule[1] > nodule[0] ? 1 : 0, bySize.getAsJsonObject("from_18").get("roc_auc").getAsDouble(), 0);
    assertTrue(nodule[2] < nodule[0] && nodule[1] > nodule[0], "the two bins differ, so that a mix-up shows");
    assertEquals(0, bySize.getAsJsonObject("14_to_18").get("positives").getAsInt());
    JsonArray bounds = figures.getAsJsonObject("classifier").getAsJsonObject("roc_auc_ci95").getAsJsonArray("nodule");
    assertTrue(bounds.get(0).getAsDouble() <= bounds.get(1).getAsDouble(), bounds.toString());
  }

  @Test
  void changeShareCountsTheChangeWithinChebyshevDistanceOfTheLabel() throws Exception {
    int nx = 7;
    int ny = 6;
    int nz = 5;
    Random r = new Random(8);
    float[] labels = new float[nx * ny * nz];
    float[] diff = new float[labels.length];
    for (int v = 0; v < labels.length; v++) {
      labels[v] = r.nextDouble() < 0.04 ? 2 : r.nextInt(2);
      diff[v] = (float) (r.nextGaussian() * 10);
    }
    double[][] affine = Affine.ofSpacing(2, 2, 3);
    Path labelFile = tmp.resolve("l.nii.gz");
    Path diffFile = tmp.resolve("d.nii.gz");
    NiftiWriter.write(labelFile, new Volume(nx, ny, nz, labels, affine), NiftiWriter.Options.defaults());
    NiftiWriter.write(diffFile, new Volume(nx, ny, nz, diff, affine), NiftiWriter.Options.defaults());
    for (int dilate = 0; dilate <= 2; dilate++) {
      // Brute force: a voxel is in the region if a label-2 voxel lies within Chebyshev distance dilate.
      double inside = 0;
      double total = 0;
      int count = 0;
      double[] outsideByLabel = new double[3];
      for (int k = 0; k < nz; k++) {
        for (int j = 0; j < ny; j++) {
          for (int i = 0; i < nx; i++) {
            boolean in = false;
            for (int v = 0; v < labels.length && !in; v++) {
              int li = v % nx;
              int lj = v / nx % ny;
              int lk = v / (nx * ny);
              in = labels[v] == 2 && Math.max(Math.abs(li - i), Math.max(Math.abs(lj - j), Math.abs(lk - k))) <= dilate;
            }
            double a = Math.abs(diff[i + nx * (j + ny * k)]);
            total += a;
            if (in) {
              inside += a;
              count++;
            } else {
              outsideByLabel[(int) labels[i + nx * (j + ny * k)]] += a;
            }
          }
        }
      }
      ChangeShare s = ChangeShare.of(diffFile, labelFile, 2, dilate);
      assertEquals(inside / total, s.share(), 1e-9, "dilate " + dilate);
      assertEquals(count / (double) labels.length, s.volumeShare(), 1e-12, "dilate " + dilate);
      for (int label = 0; label < 3; label++) {
        if (outsideByLabel[label] > 0) {
          assertEquals(outsideByLabel[label] / total, s.outsideByLabel().get(label), 1e-9, "label " + label);
        } else {
          assertTrue(!s.outsideByLabel().containsKey(label), "no label " + label + " outside at dilate " + dilate);
        }
      }
      assertEquals(s.outsideByLabel().keySet().size(),
          (int) Arrays.stream(outsideByLabel).filter(x -> x > 0).count(), "no other labels");
    }

    Path other = tmp.resolve("o.nii.gz");
    NiftiWriter.write(other, new Volume(nx, ny, nz - 1, new float[nx * ny * (nz - 1)], affine),
        NiftiWriter.Options.defaults());
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> ChangeShare.of(diffFile, other, 2, 1));
    assertTrue(e.getMessage().startsWith(other.toString()), e.getMessage());
  }
}
