package dev.ctshift.phantom;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/** Test helpers computed straight from label and HU arrays, independent of the generator. */
final class LabelStats {
  private LabelStats() {}

  static int count(float[] labels, int code) {
    int c = 0;
    for (float l : labels) {
      if (l == code) {
        c++;
      }
    }
    return c;
  }

  static double median(float[] hu, float[] labels, int code) {
    double[] v = Arrays.stream(indices(labels, code)).mapToDouble(i -> hu[i]).sorted().toArray();
    if (v.length == 0) {
      throw new AssertionError("no voxels with label " + code);
    }
    return v[v.length / 2];
  }

  static int[] indices(float[] labels, int code) {
    List<Integer> out = new ArrayList<>();
    for (int v = 0; v < labels.length; v++) {
      if (labels[v] == code) {
        out.add(v);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Mean of axis {@code axis} (0 = i, 1 = j, 2 = k) over voxels with the label. */
  static double centroid(float[] labels, int code, int nx, int ny, int axis) {
    double sum = 0;
    int n = 0;
    for (int v = 0; v < labels.length; v++) {
      if (labels[v] == code) {
        sum += axis == 0 ? v % nx : (axis == 1 ? (v / nx) % ny : v / (nx * ny));
        n++;
      }
    }
    return sum / n;
  }

  /** Sizes of the 6-connected components of the label, largest first. */
  static List<Integer> componentSizes(float[] labels, int code, int nx, int ny, int nz) {
    boolean[] seen = new boolean[labels.length];
    List<Integer> sizes = new ArrayList<>();
    Deque<Integer> queue = new ArrayDeque<>();
    int[][] steps = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    for (int start = 0; start < labels.length; start++) {
      if (labels[start] != code || seen[start]) {
        continue;
      }
      int size = 0;
      seen[start] = true;
      queue.add(start);
      while (!queue.isEmpty()) {
        int v = queue.poll();
        size++;
        int i = v % nx;
        int j = (v / nx) % ny;
        int k = v / (nx * ny);
        for (int[] s : steps) {
          int a = i + s[0];
          int b = j + s[1];
          int c = k + s[2];
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) {
            continue;
          }
          int w = a + nx * (b + ny * c);
          if (!seen[w] && labels[w] == code) {
            seen[w] = true;
            queue.add(w);
          }
        }
      }
      sizes.add(size);
    }
    sizes.sort((x, y) -> y - x);
    return sizes;
  }
}
