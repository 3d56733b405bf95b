package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Metrics and losses against hand-made inputs and independent formulas. */
class MetricsTest {

  @Test
  void aucOfSeparatedReversedAndTiedScores() {
    boolean[] labels = {false, true, false, true, true};
    assertEquals(1.0, Metrics.rocAuc(new double[] {0.1, 0.8, 0.2, 0.9, 0.7}, labels), 0);
    assertEquals(0.0, Metrics.rocAuc(new double[] {0.9, 0.1, 0.8, 0.2, 0.3}, labels), 0);
    assertEquals(0.5, Metrics.rocAuc(new double[] {0.4, 0.4, 0.4, 0.4, 0.4}, labels), 0);
    assertTrue(Double.isNaN(Metrics.rocAuc(new double[] {1, 2}, new boolean[] {true, true})));
  }

  @Test
  void aucIntervalIsThePercentilesOfResampledPairCountingAucs() {
    Random r = new Random(2);
    double[] s = new double[40];
    boolean[] y = new boolean[40];
    for (int i = 0; i < s.length; i++) {
      y[i] = i % 3 == 0;
      s[i] = r.nextGaussian() + (y[i] ? 1 : 0);
    }
    // Independently: the same draws, each resample's AUC by counting pairs.
    Random draws = new Random(7);
    List<Double> aucs = new ArrayList<>();
    for (int k = 0; k < 200; k++) {
      int[] pick = new int[s.length];
      for (int i = 0; i < pick.length; i++) {
        pick[i] = draws.nextInt(s.length);
      }
      double pairs = 0;
      double wins = 0;
      for (int a : pick) {
        for (int b : pick) {
          if (y[a] && !y[b]) {
            pairs++;
            wins += s[a] > s[b] ? 1 : s[a] == s[b] ? 0.5 : 0;
          }
        }
      }
      if (pairs > 0) {
        aucs.add(wins / pairs);
      }
    }
    java.util.Collections.sort(aucs);
    int m = aucs.size();
    double[] interval = Metrics.rocAucInterval(s, y, 200, 0.9, 7);
    assertEquals(aucs.get((int) Math.round(0.05 * (m - 1))), interval[0], 1e-12);
    assertEquals(aucs.get((int) Math.round(0.95 * (m - 1))), interval[1], 1e-12);
    double auc = Metrics.rocAuc(s, y);
    assertTrue(interval[0] < auc && auc < interval[1], auc + " in " + Arrays.toString(interval));
    assertArrayEquals(new double[] {1, 1}, Metrics.rocAucInterval(new double[] {0, 1, 2, 3},
        new boolean[] {false, false, true, true}, 50, 0.95, 1), 0, "separated: every resample 1");
    assertTrue(Double.isNaN(Metrics.rocAucInterval(new double[] {1, 2}, new boolean[] {true, true}, 10, 0.95, 1)[0]));
  }

  @Test
  void aucEqualsPairCountingWithTies() {
    Random r = new Random(1);
    double[] s = new double[60];
    boolean[] y = new boolean[60];
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextInt(8);  // many ties
      y[i] = r.nextDouble() < 0.3 + s[i] / 16;
    }
    double pairs = 0;
    double wins = 0;
    for (int i = 0; i < s.length; i++) {
      for (int j = 0; j < s.length; j++) {
        if (y[i] && !y[j]) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
        }
      }
    }
    assertEquals(wins / pairs, Metrics.rocAuc(s, y), 1e-12);
  }

  @Test
  void psnrFromHandComputedMse() {
    float[] a = {0, 0.5f, 1, 0.25f};
    float[] b = {0.1f, 0.5f, 0.9f, 0.25f};
    double mse = (0.01 + 0.01) / 4;
    assertEquals(10 * Math.log10(1 / mse), Metrics.psnr(a, b, 1), 1e-4);
    assertEquals(Double.POSITIVE_INFINITY, Metrics.psnr(a, a, 1));
  }

  @Test
  void ssimOfIdenticalConstantAndScaledImages() {
    Random r = new Random(2);
    float[] img = new float[20 * 24];
    for (int i = 0; i < img.length; i++) {
      img[i] = r.nextFloat();
    }
    assertEquals(1.0, Metrics.ssim(img, img, 20, 24), 1e-12);
    // Constant images: no variance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1) everywhere.
    float[] a = new float[16 * 16];
    float[] b = new float[16 * 16];
    java.util.Arrays.fill(a, 0.3f);
    java.util.Arrays.fill(b, 0.6f);
    double c1 = 1e-4;
    double fa = 0.3f;
    double fb = 0.6f;
    assertEquals((2 * fa * fb + c1) / (fa * fa + fb * fb + c1), Metrics.ssim(a, b, 16, 16), 1e-9);
    // A noisy copy is less similar than the image itself but still positively related.
    float[] noisy = img.clone();
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] += (float) (0.2 * r.nextGaussian());
    }
    double s = Metrics.ssim(img, noisy, 20, 24);
    assertTrue(s > 0 && s < 0.95, "ssim " + s);
  }

  @Test
  void diceOfHandMadeMasks() {
    int[] ref = {0, 1, 1, 1, 0, 2, 0, 0};
    int[] seg = {0, 1, 1, 0, 1, 0, 0, 2};
    assertEquals(2.0 * 2 / (3 + 3), Metrics.dice(ref, seg, 1), 1e-12);
    assertEquals(0.0, Metrics.dice(ref, seg, 2), 1e-12);
    assertEquals(1.0, Metrics.dice(ref, seg, 3), 1e-12);
  }

  @Test
  void lossesMatchScalarFormulas() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] z = {-3, -0.5f, 0, 2, 40};
      float[] y = {0, 1, 1, 0, 1};
      double bce = 0;
      for (int i = 0; i < z.length; i++) {
        double p = 1 / (1 + Math.exp(-z[i]));
        bce -= y[i] == 1 ? Math.log(p) : Math.log(1 - p);
      }
      NDArray loss = Losses.bceWithLogits(m.create(z), m.create(y));
      assertEquals(bce / z.length, loss.getFloat(), 1e-5);

      float[] out = {0.2f, 0.4f};
      float[] ref = {0.5f, 0.5f};
      double expected = (0.09 + 0.01) / 2 + 0.5 * (0.3 + 0.1) / 2;
      assertEquals(expected, Losses.reconstruction(m.create(out), m.create(ref), 0.5).getFloat(), 1e-6);

      // Two voxels, two classes: CE = -mean log softmax at the true class; Dice from soft counts.
      float[] logits = {1, -1, 0, 2};  // [1, C=2, 1, 1, 2]: class 0 logits (1, -1), class 1 (0, 2)
      float[] oneHot = {1, 0, 0, 1};
      double p00 = Math.exp(1) / (Math.exp(1) + 1);
      double p01 = Math.exp(-1) / (Math.exp(-1) + Math.exp(2));
      double ce = -(Math.log(p00) + Math.log(1 - p01)) / 2;
      double eps = 1e-5;
      double dice0 = (2 * p00 + eps) / (p00 + p01 + 1 + eps);
      double dice1 = (2 * (1 - p01) + eps) / ((1 - p00) + (1 - p01) + 1 + eps);
      Shape s = new Shape(1, 2, 1, 1, 2);
      double seg = Losses.crossEntropyPlusDice(m.create(logits, s), m.create(oneHot, s)).getFloat();
      assertEquals(ce + 1 - (dice0 + dice1) / 2, seg, 1e-5);
    }
  }
}
