package dev.ctshift.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ctshift.CtShiftException;
import dev.ctshift.io.dicom.DerivedSeries;
import dev.ctshift.io.dicom.DicomDerivedWriter;
import dev.ctshift.io.dicom.DicomScan;
import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.report.html.ExplanationPage;
import dev.ctshift.report.render.Colormap;
import dev.ctshift.report.render.GifWriter;
import dev.ctshift.report.render.Panel;
import dev.ctshift.report.render.PngWriter;
import dev.ctshift.report.render.SliceRanking;
import dev.ctshift.report.render.SliceView;
import dev.ctshift.report.render.Window;
import dev.ctshift.volume.Volume;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the files a user opens after an explanation, all on the scan's own grid:
 *
 * <ul>
 *   <li>{@code counterfactual.nii.gz} — the scan changed at λ*, HU;
 *   <li>{@code difference.nii.gz} — counterfactual minus scan, HU;
 *   <li>{@code heatmap.nii.gz} — the sweep's change summary, HU;
 *   <li>{@code frames.nii.gz} — every sweep frame as a 4D series, from λ* to the scan;
 *   <li>{@code animation.gif} — the most changed slice: input | frame | difference, with the score;
 *   <li>{@code panel.png} — the most changed slices, input | counterfactual | difference;
 *   <li>{@code dicom/} — the counterfactual as a derived DICOM series of the source study (DICOM input,
 *       or NIfTI input when asked);
 *   <li>{@code report.json} — see {@link ExplanationReport};
 *   <li>{@code report.html} — all of it in one interactive page ({@link ExplanationPage}).
 * </ul>
 */
public final class ExplanationWriter {
  /**
   * What to write and how images look.
   *
   * @param dicomForNifti also write a derived DICOM series when the input was NIfTI
   * @param html write report.html
   */
  public record Options(Window window, int panelSlices, boolean frames4d, boolean dicomForNifti, boolean html) {
    public Options(Window window, int panelSlices, boolean frames4d, boolean dicomForNifti) {
      this(window, panelSlices, frames4d, dicomForNifti, true);
    }

    public static Options defaults() {
      return new Options(Window.CHEST, 3, true, false);
    }

    /** These options with report.html on or off. */
    public Options withHtml(boolean on) {
      return new Options(window, panelSlices, frames4d, dicomForNifti, on);
    }
  }

  /**
   * The HU volumes and scores to write. Frames are ordered from λ* to λ = 0, and each is read once: the
   * list may map them as they are read and let go of what they were mapped from.
   */
  public record Content(
      Volume scanHu,
      Volume counterfactualHu,
      Volume heatmapHu,
      List<Volume> framesHu,
      List<Double> frameScores,
      String scoreName,
      boolean integerValued,
      DicomScan dicomSource,
      String seriesDescription) {}

  private final Options options;

  public ExplanationWriter(Options options) {
    this.options = options;
  }

  /**
   * Writes every output into {@code out} (not committed) and returns the per-slice change and the
   * slices shown, for the report.
   */
  public JsonObject write(StagedOutput out, Content c, JsonObject report) throws CtShiftException {
    Volume difference = dev.ctshift.compose.ScanSpaceMapper.difference(c.counterfactualHu(), c.scanHu());
    double[] perSlice = SliceRanking.meanAbsDifference(c.counterfactualHu(), c.scanHu());
    int[] top = SliceRanking.topK(perSlice, Math.min(options.panelSlices(), perSlice.length));
    NiftiWriter.Options hu = NiftiWriter.Options.defaults()
        .withDatatype(c.integerValued() && fitsInt16(c.counterfactualHu()) ? NiftiDatatype.INT16 : NiftiDatatype.FLOAT32)
        .withDescription("ctshift counterfactual");
    NiftiWriter.Options real = NiftiWriter.Options.defaults().withDescription("ctshift change, HU");
    NiftiWriter.write(out.file("counterfactual.nii.gz"), c.counterfactualHu(), hu);
    NiftiWriter.write(out.file("difference.nii.gz"), difference, real);
    NiftiWriter.write(out.file("heatmap.nii.gz"), c.heatmapHu(), real.withDescription("ctshift heatmap, HU"));
    try (ExplanationPage.FramePacker page = options.html() ? new ExplanationPage.FramePacker(c.scanHu(),
        Math.max(1, c.framesHu().size())) : null) {
      SliceView[] shown = new SliceView[c.framesHu().size()];
      List<Volume> frames = readOnce(c.framesHu(), top[0], shown, page);
      if (options.frames4d()) {
        // The largest output (ten float volumes) and the least compressible: entropy coding alone halves
        // the time of writing it for a few per cent in size (NiftiWriter.Compression).
        NiftiWriter.write4d(out.file("frames.nii.gz"), frames, hu.withDescription("ctshift sweep frames")
            .withCompression(NiftiWriter.Compression.HUFFMAN_ONLY));
      } else {
        frames.forEach(f -> { }); // each frame read once, for the animation and the page
      }
      writeRest(out, c, report, difference, perSlice, top, shown, page);
    } catch (IOException | UncheckedIOException e) {
      throw new CtShiftException("cannot write " + ExplanationPage.FILE + ": " + e.getMessage(), e);
    }
    return report.getAsJsonObject("slices");
  }

  /**
   * {@code frames} as a list that hands each frame, as it is read, to the animation (slice {@code k},
   * into {@code shown}) and to the page: a list that maps its frames from model space (see
   * {@link Content#framesHu()}) then maps each once for all outputs instead of once per output.
   */
  private static List<Volume> readOnce(List<Volume> frames, int k, SliceView[] shown,
      ExplanationPage.FramePacker page) {
    return new AbstractList<>() {
      @Override
      public Volume get(int i) {
        Volume frame = frames.get(i);
        shown[i] = SliceView.of(frame, k);
        if (page != null) {
          try {
            page.add(i, frame);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return frame;
      }

      @Override
      public int size() {
        return frames.size();
      }
    };
  }

  /** The outputs after the frames: DICOM, images, report.json and report.html. */
  private void writeRest(StagedOutput out, Content c, JsonObject report, Volume difference, double[] perSlice,
      int[] top, SliceView[] shown, ExplanationPage.FramePacker page) throws CtShiftException, IOException {
    if (c.dicomSource() != null || options.dicomForNifti()) {
      try {
        DerivedSeries series = DicomDerivedWriter.write(out.file("dicom"), c.dicomSource(), c.counterfactualHu(),
            c.seriesDescription(), s -> { });
        JsonObject dicom = new JsonObject();
        dicom.addProperty("series_instance_uid", series.seriesInstanceUid());
        dicom.addProperty("study_instance_uid", series.studyInstanceUid());
        dicom.addProperty("files", series.files().size());
        dicom.add("notes", Json.array(series.notes()));
        report.add("dicom_output", dicom);
      } catch (IOException e) {
        throw new CtShiftException("cannot write the derived DICOM series: " + e.getMessage(), e);
      }
    }
    double maxDiff = Math.max(20, percentileAbs(difference, top, 0.995));
    try {
      GifWriter.write(out.file("animation.gif"), animation(c, shown, top[0], maxDiff), 250, true);
      PngWriter.write(out.file("panel.png"), panel(c, difference, top, maxDiff));
    } catch (IOException e) {
      throw new CtShiftException("cannot write images: " + e.getMessage(), e);
    }
    JsonObject slices = new JsonObject();
    slices.add("mean_abs_change_hu_per_slice", Json.array(perSlice, 3));
    slices.add("most_changed", Json.array(top));
    slices.addProperty("display_scale_hu", maxDiff);
    report.add("slices", slices);
    writeJson(out, report);
    if (options.html()) {
      ExplanationPage.write(out.file(ExplanationPage.FILE), new ExplanationPage.Content(c.scanHu(), c.framesHu(),
          c.counterfactualHu(), maxDiff, options.window(), report), page);
    }
  }

  /** Writes {@code report.json} into {@code out}. */
  public static void writeJson(StagedOutput out, JsonObject report) throws CtShiftException {
    try {
      Files.writeString(out.file("report.json"),
          new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(Json.finite(report))
              + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CtShiftException("cannot write report.json: " + e.getMessage(), e);
    }
  }

  /** @param shown slice {@code k} of each frame */
  private List<BufferedImage> animation(Content c, SliceView[] shown, int k, double maxDiff) {
    BufferedImage input = render(c.scanHu(), k, options.window());
    SliceView scanSlice = SliceView.of(c.scanHu(), k);
    List<BufferedImage> forward = new ArrayList<>();
    // From the scan (last frame) to the counterfactual (first frame), then back: a smooth loop.
    for (int f = shown.length - 1; f >= 0; f--) {
      // Only slice k of the change is shown: no whole-volume difference per frame.
      SliceView diff = shown[f].minus(scanSlice);
      forward.add(Panel.row(List.of(
          new Panel.Tile(input, "input, slice " + k),
          new Panel.Tile(shown[f].render(options.window(), SliceView.DEFAULT_MIN_HEIGHT_PX), String.format("%s %.3f", c.scoreName(),
              c.frameScores().get(f))),
          new Panel.Tile(diff.render(Colormap.diverging(maxDiff), SliceView.DEFAULT_MIN_HEIGHT_PX),
              String.format("change ±%.0f HU", maxDiff)))));
    }
    List<BufferedImage> loop = new ArrayList<>(forward);
    for (int i = forward.size() - 2; i > 0; i--) {
      loop.add(forward.get(i));
    }
    return loop;
  }

  private BufferedImage panel(Content c, Volume difference, int[] slices, double maxDiff) {
    List<BufferedImage> rows = new ArrayList<>();
    double before = c.frameScores().get(c.frameScores().size() - 1);
    double after = c.frameScores().get(0);
    for (int k : slices) {
      rows.add(Panel.row(List.of(
          new Panel.Tile(render(c.scanHu(), k, options.window()), String.format("input k=%d %s %.3f", k,
              c.scoreName(), before)),
          new Panel.Tile(render(c.counterfactualHu(), k, options.window()), String.format("counterfactual %.3f",
              after)),
          new Panel.Tile(render(difference, k, Colormap.diverging(maxDiff)), String.format("change ±%.0f HU",
              maxDiff)))));
    }
    return Panel.column(rows);
  }

  private static BufferedImage render(Volume v, int k, Colormap colormap) {
    return SliceView.of(v, k).render(colormap, SliceView.DEFAULT_MIN_HEIGHT_PX);
  }

  /**
   * The {@code q} quantile of |v| over the given slices: the display scale of the change, robust to
   * the few extreme voxels that clipping at the window edges produces.
   */
  private static double percentileAbs(Volume v, int[] slices, double q) {
    int plane = v.nx() * v.ny();
    float[] values = new float[plane * slices.length];
    int n = 0;
    for (int k : slices) {
      for (int i = k * plane; i < (k + 1) * plane; i++) {
        values[n++] = Math.abs(v.data()[i]);
      }
    }
    java.util.Arrays.sort(values);
    return values[Math.min(values.length - 1, (int) Math.floor(q * (values.length - 1)))];
  }

  private static boolean fitsInt16(Volume v) {
    float[] r = v.range();
    return r[0] >= Short.MIN_VALUE && r[1] <= Short.MAX_VALUE;
  }
}
