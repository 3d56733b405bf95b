package dev.ctshift.report.render;

import dev.ctshift.volume.Orientation;
import dev.ctshift.volume.Volume;
import java.awt.image.BufferedImage;

/**
 * One slice of a volume, already turned to display orientation: a row-major {@code height x width}
 * grid of values ({@code values[x + width * y]}, y = 0 is the top row) with the physical size of its
 * pixels.
 *
 * <p><b>Display convention (radiological).</b> The slice is the plane of voxel axes i and j at a fixed
 * k. Which of i/j becomes the image's columns or rows, and whether either is flipped, follows from the
 * affine's closest world axes ({@link Orientation#closestWorldAxes}), so the same anatomy stored as RAS,
 * LPS, LAS or with i and j swapped renders to the same image:
 *
 * <ul>
 *   <li>axial (k along S/I): anterior at the top, the patient's right on the image's left;
 *   <li>coronal (k along A/P): superior at the top, the patient's right on the image's left;
 *   <li>sagittal (k along R/L): superior at the top, anterior on the image's left.
 * </ul>
 *
 * Oblique affines are shown on their closest axes without reslicing. Values are whatever the volume
 * holds (HU for CT, HU differences, scores); units are not changed.
 *
 * <p><b>Ownership.</b> The constructor wraps {@code values}; every method returns a new view.
 *
 * <pre>{@code
 * BufferedImage img = SliceView.of(ct, k).render(Window.CHEST, SliceView.DEFAULT_MIN_HEIGHT_PX);
 * }</pre>
 *
 * @param values row-major display values, length {@code width * height} (wrapped, not copied)
 * @param width columns
 * @param height rows
 * @param pixelWidthMm physical width of one column in mm
 * @param pixelHeightMm physical height of one row in mm
 * @param plane the anatomical plane the slice lies in
 */
public record SliceView(
    float[] values, int width, int height, double pixelWidthMm, double pixelHeightMm, Plane plane) {

  /** Height below which {@link #render} upscales, so small test volumes stay readable. */
  public static final int DEFAULT_MIN_HEIGHT_PX = 256;
  /** Neither side of a resampled view exceeds this, whatever the spacing. */
  public static final int MAX_SIDE_PX = 4096;

  /**
   * Anatomical plane of a slice, from the world axis closest to the volume's k axis; declared in
   * world-axis order (x, y, z) so that {@code values()[axis]} is the plane normal to that axis.
   */
  public enum Plane {
    SAGITTAL,
    CORONAL,
    AXIAL
  }

  /** How {@link #resample} fills output pixels. */
  public enum Interpolation {
    NEAREST,
    BILINEAR
  }

  /** @throws IllegalArgumentException on non-positive sizes or spacing, or a length mismatch */
  public SliceView {
    if (width <= 0 || height <= 0 || (long) width * height != values.length) {
      throw new IllegalArgumentException(
          "slice " + width + "x" + height + " does not match " + values.length + " values");
    }
    if (!(pixelWidthMm > 0) || !(pixelHeightMm > 0)) {
      throw new IllegalArgumentException(
          "pixel size must be positive, got " + pixelWidthMm + " x " + pixelHeightMm + " mm");
    }
  }

  /**
   * Slice {@code k} (voxel axis k) of {@code volume} in display orientation, one pixel per voxel
   * (values copied).
   *
   * @throws IndexOutOfBoundsException if {@code k} is outside {@code [0, nz)}
   */
  public static SliceView of(Volume volume, int k) {
    if (k < 0 || k >= volume.nz()) {
      throw new IndexOutOfBoundsException("slice " + k + " outside [0, " + volume.nz() + ")");
    }
    int[] world = Orientation.closestWorldAxes(volume.affine());
    String codes = volume.orientation();
    // Vertical is A/P in an axial slice and S/I otherwise; horizontal is the other in-plane axis.
    int verticalWorld = world[2] == 2 ? 1 : 2;
    int rowAxis = world[0] == verticalWorld ? 0 : 1;
    int colAxis = 1 - rowAxis;
    // Top and left are the positive RAS end (A or S; R or A), so display indices run toward the
    // negative end: flip an axis that points to the positive end.
    boolean flipRows = Orientation.isPositive(codes.charAt(rowAxis));
    boolean flipCols = Orientation.isPositive(codes.charAt(colAxis));
    int[] dims = volume.dims();
    int w = dims[colAxis];
    int h = dims[rowAxis];
    float[] out = new float[w * h];
    int[] ijk = {0, 0, k};
    for (int y = 0; y < h; y++) {
      ijk[rowAxis] = flipRows ? h - 1 - y : y;
      for (int x = 0; x < w; x++) {
        ijk[colAxis] = flipCols ? w - 1 - x : x;
        out[x + w * y] = volume.get(ijk[0], ijk[1], ijk[2]);
      }
    }
    double[] spacing = volume.spacing();
    return new SliceView(out, w, h, spacing[colAxis], spacing[rowAxis], Plane.values()[world[2]]);
  }

  /** The value at column {@code x}, row {@code y}. */
  public float value(int x, int y) {
    return values[x + width * y];
  }

  /**
   * {@code this - other} pixel by pixel, e.g. {@code counterfactual.minus(input)} for a difference that
   * is positive where HU increased.
   *
   * @throws IllegalArgumentException if the two views differ in size
   */
  public SliceView minus(SliceView other) {
    if (other.width != width || other.height != height) {
      throw new IllegalArgumentException("slice sizes differ: " + width + "x" + height + " vs "
          + other.width + "x" + other.height);
    }
    float[] d = new float[values.length];
    for (int n = 0; n < d.length; n++) {
      d[n] = values[n] - other.values[n];
    }
    return new SliceView(d, width, height, pixelWidthMm, pixelHeightMm, plane);
  }

  /**
   * Resampled to square pixels at the physical aspect of the slice: the finer of the two pixel sizes
   * is kept, then the whole view is scaled up (never down) until it is at least {@code minHeightPx}
   * high, and scaled down if a side would exceed {@link #MAX_SIDE_PX}. Pixel centres map to pixel
   * centres; samples outside the grid take the nearest edge value.
   */
  public SliceView resample(int minHeightPx, Interpolation interpolation) {
    double mm = Math.min(pixelWidthMm, pixelHeightMm);
    double physW = width * pixelWidthMm / mm;
    double physH = height * pixelHeightMm / mm;
    double scale = Math.max(1, minHeightPx / physH);
    scale = Math.min(scale, MAX_SIDE_PX / Math.max(physW, physH));
    int outW = Math.max(1, (int) Math.round(physW * scale));
    int outH = Math.max(1, (int) Math.round(physH * scale));
    float[] out = new float[outW * outH];
    for (int y = 0; y < outH; y++) {
      double sy = (y + 0.5) * height / outH - 0.5;
      for (int x = 0; x < outW; x++) {
        double sx = (x + 0.5) * width / outW - 0.5;
        out[x + outW * y] =
            interpolation == Interpolation.NEAREST ? nearest(sx, sy) : bilinear(sx, sy);
      }
    }
    double outMm = width * pixelWidthMm / outW;
    return new SliceView(out, outW, outH, outMm, height * pixelHeightMm / outH, plane);
  }

  /** One RGB pixel per value through {@code map}, no resampling. */
  public BufferedImage toImage(Colormap map) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[values.length];
    for (int n = 0; n < rgb.length; n++) {
      rgb[n] = map.rgb(values[n]);
    }
    img.setRGB(0, 0, width, height, rgb, 0, width);
    return img;
  }

  /**
   * The image a user sees: bilinear resampling to the physical aspect and at least
   * {@code minHeightPx} high (see {@link #resample}), then {@code map}.
   */
  public BufferedImage render(Colormap map, int minHeightPx) {
    return resample(minHeightPx, Interpolation.BILINEAR).toImage(map);
  }

  private float nearest(double sx, double sy) {
    int x = clamp((int) Math.round(sx), width);
    int y = clamp((int) Math.round(sy), height);
    return value(x, y);
  }

  private float bilinear(double sx, double sy) {
    int x0 = (int) Math.floor(sx);
    int y0 = (int) Math.floor(sy);
    double fx = sx - x0;
    double fy = sy - y0;
    int xa = clamp(x0, width);
    int xb = clamp(x0 + 1, width);
    int ya = clamp(y0, height);
    int yb = clamp(y0 + 1, height);
    double top = value(xa, ya) * (1 - fx) + value(xb, ya) * fx;
    double bottom = value(xa, yb) * (1 - fx) + value(xb, yb) * fx;
    return (float) (top * (1 - fy) + bottom * fy);
  }

  private static int clamp(int v, int n) {
    return Math.max(0, Math.min(n - 1, v));
  }
}
