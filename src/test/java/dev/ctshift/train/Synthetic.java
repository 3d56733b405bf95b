package dev.ctshift.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small synthetic data sets in [0, 1] for the trainer tests. */
final class Synthetic {
  private Synthetic() {}

  /** {@code n} slices with one random filled ellipse (value 0.5..0.9) on a 0.1 background. */
  static SliceDataset ellipses(int n, int size, long seed) {
    Random r = new Random(seed);
    List<float[]> slices = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      double cx = size * (0.3 + 0.4 * r.nextDouble());
      double cy = size * (0.3 + 0.4 * r.nextDouble());
      double ax = size * (0.15 + 0.2 * r.nextDouble());
      double ay = size * (0.15 + 0.2 * r.nextDouble());
      float value = (float) (0.5 + 0.4 * r.nextDouble());
      float[] img = new float[size * size];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double u = (x - cx) / ax;
          double v = (y - cy) / ay;
          img[x + size * y] = u * u + v * v <= 1 ? value : 0.1f;
        }
      }
      slices.add(img);
    }
    return SliceDataset.of(size, size, slices);
  }

  /**
   * {@code n} noisy cubes of side {@code size}; label 0 "blob": a bright Gaussian blob is present;
   * label 1 "dark": the left half is darkened. Each present with probability 1/2.
   */
  static LabelledVolumes blobs(int n, int size, long seed) {
    Random r = new Random(seed);
    List<float[]> volumes = new ArrayList<>();
    List<float[]> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean blob = i % 2 == 0;
      boolean dark = r.nextBoolean();
      double c = size / 2.0 + r.nextGaussian();
      float[] v = new float[size * size * size];
      for (int d = 0; d < size; d++) {
        for (int h = 0; h < size; h++) {
          for (int w = 0; w < size; w++) {
            double value = 0.4 + 0.05 * r.nextGaussian();
            if (blob) {
              double q = (d - c) * (d - c) + (h - c) * (h - c) + (w - c) * (w - c);
              value += 0.5 * Math.exp(-q / (2 * 1.5 * 1.5));
            }
            if (dark && w < size / 2) {
              value -= 0.3;
            }
            v[w + size * (h + size * d)] = (float) value;
          }
        }
      }
      volumes.add(v);
      labels.add(new float[] {blob ? 1 : 0, dark ? 1 : 0});
    }
    return new LabelledVolumes(VolumeDataset.of(size, size, size, volumes), List.of("blob", "dark"), labels);
  }

  /**
   * {@code n} noisy cubes of side {@code size}, half of them (even i) with a bright ball of radius 1.5
   * anywhere at least 2 voxels from the border; label "ball"; region class 1 marks the ball's voxels.
   */
  static LabelledVolumes ballsWithRegions(int n, int size, long seed) {
    Random r = new Random(seed);
    List<float[]> volumes = new ArrayList<>();
    List<float[]> labels = new ArrayList<>();
    List<int[]> regions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean ball = i % 2 == 0;
      int[] c = {2 + r.nextInt(size - 4), 2 + r.nextInt(size - 4), 2 + r.nextInt(size - 4)};
      float[] v = new float[size * size * size];
      int[] region = new int[v.length];
      for (int d = 0; d < size; d++) {
        for (int h = 0; h < size; h++) {
          for (int w = 0; w < size; w++) {
            int idx = w + size * (h + size * d);
            double q = (d - c[0]) * (d - c[0]) + (h - c[1]) * (h - c[1]) + (w - c[2]) * (w - c[2]);
            boolean inside = ball && q <= 1.5 * 1.5;
            region[idx] = inside ? 1 : 0;
            v[idx] = (float) ((inside ? 0.8 : 0.4) + 0.05 * r.nextGaussian());
          }
        }
      }
      volumes.add(v);
      labels.add(new float[] {ball ? 1 : 0});
      regions.add(region);
    }
    return new LabelledVolumes(VolumeDataset.of(size, size, size, volumes), List.of("ball"), labels, regions,
        new int[] {1});
  }

  /** {@code n} noisy cubes with a bright sphere of random centre and radius; mask 1 inside. */
  static SegmentedVolumes spheres(int n, int size, long seed) {
    Random r = new Random(seed);
    List<float[]> volumes = new ArrayList<>();
    List<int[]> masks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double radius = size * (0.25 + 0.1 * r.nextDouble());
      double cd = size / 2.0 + r.nextGaussian();
      double ch = size / 2.0 + r.nextGaussian();
      double cw = size / 2.0 + r.nextGaussian();
      float[] v = new float[size * size * size];
      int[] mask = new int[v.length];
      for (int d = 0; d < size; d++) {
        for (int h = 0; h < size; h++) {
          for (int w = 0; w < size; w++) {
            int idx = w + size * (h + size * d);
            boolean inside = (d - cd) * (d - cd) + (h - ch) * (h - ch) + (w - cw) * (w - cw) <= radius * radius;
            mask[idx] = inside ? 1 : 0;
            v[idx] = (float) ((inside ? 0.7 : 0.3) + 0.1 * r.nextGaussian());
          }
        }
      }
      volumes.add(v);
      masks.add(mask);
    }
    return new SegmentedVolumes(VolumeDataset.of(size, size, size, volumes), List.of("background", "sphere"),
        masks);
  }

  /** Records every step loss. */
  static final class Recorder implements ProgressListener {
    final List<Double> losses = new ArrayList<>();
    final List<Step> steps = new ArrayList<>();

    @Override
    public void onStep(Step step) {
      losses.add(step.loss());
      steps.add(step);
    }
  }
}
