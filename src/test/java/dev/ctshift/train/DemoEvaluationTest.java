package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.io.VolumeReadException;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoEvaluationTest {
  @TempDir Path tmp;

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
            }
          }
        }
      }
      DemoEvaluation.ChangeShare s = DemoEvaluation.changeShare(diffFile, labelFile, 2, dilate);
      assertEquals(inside / total, s.share(), 1e-9, "dilate " + dilate);
      assertEquals(count / (double) labels.length, s.volumeShare(), 1e-12, "dilate " + dilate);
    }

    Path other = tmp.resolve("o.nii.gz");
    NiftiWriter.write(other, new Volume(nx, ny, nz - 1, new float[nx * ny * (nz - 1)], affine),
        NiftiWriter.Options.defaults());
    VolumeReadException e = assertThrows(VolumeReadException.class,
        () -> DemoEvaluation.changeShare(diffFile, other, 2, 1));
    assertTrue(e.getMessage().startsWith(other.toString()), e.getMessage());
  }
}
