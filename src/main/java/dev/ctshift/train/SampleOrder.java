package dev.ctshift.train;

import java.util.Random;

/** The seeded orders in which a training run visits its samples: the split and each epoch's shuffle. */
final class SampleOrder {
  private SampleOrder() {}

  /** {@code items} {@code times} over, in order. */
  static int[] repeat(int[] items, int times) {
    int[] out = new int[items.length * times];
    for (int t = 0; t < times; t++) {
      System.arraycopy(items, 0, out, t * items.length, items.length);
    }
    return out;
  }

  static int[] permutation(int n, Random random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return shuffle(p, random);
  }

  /** Fisher-Yates on a copy. */
  static int[] shuffle(int[] values, Random random) {
    int[] a = values.clone();
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
