package dev.ctshift.report.html;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.ctshift.report.Json;
import dev.ctshift.report.render.Window;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/**
 * {@code report.html}: one self-contained page that shows an explanation interactively (axial,
 * coronal and sagittal views of scan, frame and change; a λ slider through the sweep; the score
 * curve; per-slice change; window presets; the facts of report.json). The page, its script and its
 * style come from resources of this package; the volumes are embedded as base64 of {@link ShortCodec}
 * data, so the file opens from disk with no network, and a Content-Security-Policy forbids any load.
 *
 * <p><b>What the page holds.</b> The scan in whole HU (values rounded, as an int16 NIfTI stores them)
 * and, for every sweep frame, the frame minus the scan in whole HU, at full resolution. When the
 * frames together would pass {@link #BUDGET_BYTES}, the intermediate frames (not the counterfactual)
 * are stored at half, quarter, then an eighth of the in-plane resolution; the page says so. The NIfTI files stay the
 * full-precision record.
 *
 * <pre>{@code
 * ExplanationPage.write(out.file("report.html"), new ExplanationPage.Content(scanHu, framesHu, cfHu,
 *     displayScaleHu, Window.CHEST, report));
 * }</pre>
 */
public final class ExplanationPage {
  /** File name in an explanation's output folder. */
  public static final String FILE = "report.html";
  /** Size the encoded frames may grow the page to before intermediate frames are reduced. */
  static final long BUDGET_BYTES = 14_000_000;
  /** Coarsest in-plane reduction of intermediate frames: past it the page may exceed the budget. */
  static final int MAX_REDUCTION = 8;

  /**
   * What the page shows.
   *
   * @param scanHu the scan, HU, on its own grid
   * @param framesHu the sweep frames from λ* to λ = 0, HU, same grid; may be empty (no sweep); each frame
   *     is read once (a frame the packer was given is not read again)
   * @param counterfactualHu the counterfactual (shown alone when there are no frames)
   * @param displayScaleHu the change in HU at which the diverging map saturates (as in panel.png)
   * @param window the initial grey window (as in panel.png)
   * @param report the explanation's report.json
   */
  public record Content(Volume scanHu, List<Volume> framesHu, Volume counterfactualHu, double displayScaleHu,
      Window window, JsonObject report) {}

  private ExplanationPage() {}

  /** Writes the page to {@code file} (in a staging folder: not atomically by itself). */
  public static void write(Path file, Content c) throws IOException {
    try (FramePacker packer = new FramePacker(c.scanHu(), frames(c).size())) {
      write(file, c, packer);
    }
  }

  /**
   * Writes the page to {@code file} with the frames {@code packer} was given as they were read for
   * other outputs; the frames it was not given are read from {@code c} now.
   */
  public static void write(Path file, Content c, FramePacker packer) throws IOException {
    java.nio.file.Files.writeString(file, render(c, BUDGET_BYTES, packer), StandardCharsets.UTF_8);
  }

  /** The page's text. */
  static String render(Content c) throws IOException {
    return render(c, BUDGET_BYTES);
  }

  /** The page's text, reducing intermediate frames while the packed data exceed {@code budgetBytes}. */
  static String render(Content c, long budgetBytes) throws IOException {
    try (FramePacker packer = new FramePacker(c.scanHu(), frames(c).size())) {
      return render(c, budgetBytes, packer);
    }
  }

  /** The frames the page shows: the sweep, or the counterfactual alone when there is none. */
  private static List<Volume> frames(Content c) {
    return c.framesHu().isEmpty() ? List.of(c.counterfactualHu()) : c.framesHu();
  }

  /**
   * Packs the page's data (the scan in display order, and each frame minus the scan) on up to one
   * thread per core while the frames are read for other outputs, so that a frame mapped from model
   * space is mapped once for all of them. At most one frame per thread waits to be packed.
   */
  public static final class FramePacker implements AutoCloseable {
    private final DisplayGrid grid;
    private final float[] scanHu;
    private final ExecutorService pool;
    private final Semaphore waiting;
    private final Future<String> scanBlob;
    private final List<Future<String>> frameBlobs;

    /** Starts packing the scan. */
    public FramePacker(Volume scanHu, int frameCount) {
      this.grid = new DisplayGrid(scanHu);
      this.scanHu = scanHu.data();
      int threads = Runtime.getRuntime().availableProcessors();
      this.pool = daemonPool(threads);
      this.waiting = new Semaphore(threads);
      this.scanBlob = pool.submit(() -> base64(ShortCodec.encode(grid.toDisplay(this.scanHu))));
      this.frameBlobs = new ArrayList<>(java.util.Collections.nCopies(frameCount, null));
    }

    /** Packs frame {@code index} (HU, on the scan's grid); waits while every thread has a frame to pack. */
    public void add(int index, Volume frameHu) throws IOException {
      if (frameBlobs.get(index) != null) {
        return;
      }
      try {
        waiting.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while packing the page's data", e);
      }
      try {
        frameBlobs.set(index, pool.submit(() -> {
          try {
            return base64(ShortCodec.encode(grid.differenceToDisplay(frameHu.data(), scanHu)));
          } finally {
            waiting.release();
          }
        }));
      } catch (RuntimeException e) {
        waiting.release();
        throw e;
      }
    }

    /** The scan's blob, then every frame's: those not given to {@link #add} are read from {@code frames}. */
    List<String> blobs(List<Volume> frames) throws IOException {
      for (int i = 0; i < frameBlobs.size(); i++) {
        if (frameBlobs.get(i) == null) {
          add(i, frames.get(i));
        }
      }
      List<String> out = new ArrayList<>();
      out.add(result(scanBlob));
      for (Future<String> f : frameBlobs) {
        out.add(result(f));
      }
      return out;
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  /** The page's text from the blobs of {@code packer}, reducing intermediate frames while they exceed the budget. */
  private static String render(Content c, long budgetBytes, FramePacker packer) throws IOException {
    DisplayGrid grid = packer.grid;
    JsonArray sweep = c.report().has("sweep") ? c.report().getAsJsonArray("sweep") : new JsonArray();
    List<Volume> frames = frames(c);
    JsonArray frameInfo = new JsonArray();
    int[] dims = grid.dims();
    List<String> blobs = packer.blobs(frames);
    long size = blobs.get(0).length();
    List<String> frameBlobs = new ArrayList<>(blobs.subList(1, blobs.size()));
    blobs = new ArrayList<>(List.of(blobs.get(0)));
    long total = size;
    for (String b : frameBlobs) {
      total += b.length();
    }
    int reduction = 1;
    // Reduced frames come from the packed ones: a frame may not be readable twice (see Content).
    List<String> fullFrameBlobs = List.copyOf(frameBlobs);
    while (total > budgetBytes && reduction < MAX_REDUCTION && frames.size() > 1) {
      reduction *= 2;
      int r = reduction;
      // The counterfactual keeps full resolution: it is what the explanation is about.
      List<String> reduced = pack(frames.size() - 1,
          i -> reduce(ShortCodec.decode(Base64.getDecoder().decode(fullFrameBlobs.get(i + 1))), dims, r));
      total = size + frameBlobs.get(0).length();
      for (int f = 1; f < frames.size(); f++) {
        frameBlobs.set(f, reduced.get(f - 1));
        total += frameBlobs.get(f).length();
      }
    }
    for (int f = 0; f < frames.size(); f++) {
      JsonObject o = new JsonObject();
      if (f < sweep.size()) {
        o.add("lambda", sweep.get(f).getAsJsonObject().get("lambda"));
        o.add("score", sweep.get(f).getAsJsonObject().get("score"));
      }
      o.addProperty("reduction", f == 0 ? 1 : reduction);
      frameInfo.add(o);
    }
    blobs.addAll(frameBlobs);

    JsonObject data = new JsonObject();
    data.add("report", c.report());
    JsonObject g = new JsonObject();
    g.add("dims", Json.array(dims));
    g.add("spacing_mm", Json.array(grid.spacing()));
    g.addProperty("k_axis", grid.displayAxisOfK());
    g.addProperty("k_flipped", grid.kFlipped());
    data.add("grid", g);
    JsonObject w = new JsonObject();
    w.addProperty("level", c.window().level());
    w.addProperty("width", c.window().width());
    data.add("window", w);
    data.addProperty("display_scale_hu", c.displayScaleHu());
    data.add("frames", frameInfo);
    data.addProperty("no_sweep", c.framesHu().isEmpty());
    JsonArray notes = new JsonArray();
    notes.add("scan and frames rounded to whole HU (int16), as an int16 NIfTI stores them");
    if (reduction > 1) {
      notes.add(String.format("intermediate frames (not the counterfactual) at 1/%d of the in-plane resolution "
          + "(means over %dx%d blocks), to keep this page under %.0f MB", reduction, reduction, reduction,
          budgetBytes / 1e6));
    }
    notes.add("the NIfTI files in this folder are the full-precision record");
    data.add("reduced", notes);

    StringBuilder blobHtml = new StringBuilder();
    for (int i = 0; i < blobs.size(); i++) {
      blobHtml.append("<script type=\"application/octet-stream\" id=\"blob-").append(i).append("\">")
          .append(blobs.get(i)).append("</script>\n");
    }
    String title = "ctshift: " + fileName(c.report());
    return Resources.page("report.html", "report.css", "report.js", java.util.Map.of("TITLE", Resources.escapeHtml(title),
        "DATA", scriptJson(data), "BLOBS", blobHtml.toString()));
  }

  /**
   * {@code values.apply(i)} for i in [0, n) as base64 of {@link ShortCodec} data, in order, computed
   * on up to one thread per core.
   */
  private static List<String> pack(int n, IntFunction<short[]> values) throws IOException {
    ExecutorService pool = daemonPool(Math.max(1, Math.min(n, Runtime.getRuntime().availableProcessors())));
    try {
      List<Future<String>> packed = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        packed.add(pool.submit(() -> base64(ShortCodec.encode(values.apply(index)))));
      }
      List<String> out = new ArrayList<>();
      for (Future<String> f : packed) {
        out.add(result(f));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static ExecutorService daemonPool(int threads) {
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "report-html");
      t.setDaemon(true);
      return t;
    });
  }

  /** A packing task's result; its failure as it was thrown. */
  private static String result(Future<String> f) throws IOException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while packing the page's data", e);
    }
  }

  /** Mean over {@code r x r} in-plane blocks, stored at the reduced size (edge blocks may be partial). */
  static short[] reduce(short[] v, int[] dims, int r) {
    if (r == 1) {
      return v;
    }
    int nx = dims[0];
    int ny = dims[1];
    int mx = (nx + r - 1) / r;
    int my = (ny + r - 1) / r;
    short[] out = new short[mx * my * dims[2]];
    for (int z = 0; z < dims[2]; z++) {
      for (int by = 0; by < my; by++) {
        for (int bx = 0; bx < mx; bx++) {
          int sum = 0;
          int n = 0;
          for (int y = by * r; y < Math.min(ny, by * r + r); y++) {
            for (int x = bx * r; x < Math.min(nx, bx * r + r); x++) {
              sum += v[x + nx * (y + ny * z)];
              n++;
            }
          }
          out[bx + mx * (by + my * z)] = (short) Math.round((float) sum / n);
        }
      }
    }
    return out;
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String fileName(JsonObject report) {
    if (report.has("input") && report.getAsJsonObject("input").has("path")) {
      return Path.of(report.getAsJsonObject("input").get("path").getAsString()).getFileName().toString();
    }
    return "explanation";
  }

  /**
   * JSON safe inside a script element ('<' is escaped, so no "</script>" can end it early) and for
   * {@code JSON.parse}.
   */
  static String scriptJson(JsonObject o) {
    Gson gson = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create();
    // JSON.parse knows no NaN or Infinity: undefined numbers (e.g. a gap without a reconstruction) become null.
    String json = gson.toJson(o).replaceAll("([:\\[,])(-?Infinity|NaN)(?=[,\\]}])", "$1null");
    return json.replace("<", "\\u003c");
  }
}
