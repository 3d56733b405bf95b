package dev.ctshift.shift;

import java.util.List;

/** Summaries of how a sweep changes each voxel (see {@link ShiftConfig.Heatmap}). */
public final class Heatmaps {
  private Heatmaps() {}

  /**
   * The heatmap of a sweep ordered from the counterfactual to the λ = 0 frame.
   *
   * @return a new array, same layout as the frames, non-negative
   */
  public static float[] of(ShiftConfig.Heatmap method, List<Explanation.Frame> frames) {
    int n = frames.size();
    float[] zero = frames.get(n - 1).values();
    float[] out = new float[zero.length];
    switch (method) {
      case CONSECUTIVE:
        for (int f = 0; f + 1 < n; f++) {
          float[] a = frames.get(f).values();
          float[] b = frames.get(f + 1).values();
          for (int i = 0; i < out.length; i++) {
            out[i] += Math.abs(a[i] - b[i]) / (n - 1);
          }
        }
        break;
      case MEAN:
        for (int f = 0; f < n; f++) {
          float[] a = frames.get(f).values();
          for (int i = 0; i < out.length; i++) {
            out[i] += Math.abs(a[i] - zero[i]) / n;
          }
        }
        break;
      case MAX:
        for (Explanation.Frame frame : frames) {
          float[] a = frame.values();
          for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(out[i], Math.abs(a[i] - zero[i]));
          }
        }
        break;
      case ENDPOINTS:
        float[] cf = frames.get(0).values();
        for (int i = 0; i < out.length; i++) {
          out[i] = Math.abs(cf[i] - zero[i]);
        }
        break;
      default:
        throw new IllegalArgumentException("unknown heatmap method " + method);
    }
    return out;
  }
}
