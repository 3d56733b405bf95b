package dev.ctshift.report.html;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ctshift.CtShiftException;
import dev.ctshift.io.nifti.NiftiImage;
import dev.ctshift.io.nifti.NiftiReader;
import dev.ctshift.report.render.Window;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds {@code report.html} of an existing explanation folder from its {@code report.json},
 * {@code frames.nii.gz} and the scan, without running any model ({@code ctshift explain --html-only}).
 */
public final class PageRebuilder {
  private PageRebuilder() {}

  /**
   * Writes {@code outDir/report.html}, replacing it atomically.
   *
   * @param scanHu the scan the folder explains, HU
   * @throws CtShiftException if report.json or frames.nii.gz is missing or unreadable, or does not
   *     match the scan's grid
   */
  public static Path rebuild(Path outDir, Volume scanHu, Window window) throws CtShiftException {
    Path reportFile = outDir.resolve("report.json");
    Path framesFile = outDir.resolve("frames.nii.gz");
    if (!Files.exists(reportFile)) {
      throw new CtShiftException(reportFile + ": missing; --html-only needs the --out folder of a finished explanation");
    }
    JsonObject report;
    try {
      report = JsonParser.parseString(Files.readString(reportFile, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new CtShiftException(reportFile + ": cannot read the explanation's report: " + e.getMessage(), e);
    }
    if (!Files.exists(framesFile)) {
      throw new CtShiftException(framesFile + ": missing; the page needs the sweep frames (rerun explain "
          + "without --no-frames-4d)");
    }
    List<Volume> frames = new ArrayList<>();
    NiftiImage image = NiftiReader.read(framesFile);
    for (int t = 0; t < image.volumeCount(); t++) {
      Volume f = image.volume(t);
      if (!f.sameGeometry(scanHu, 1e-3)) {
        throw new CtShiftException(framesFile + ": grid " + f + " differs from the scan's " + scanHu
            + "; give the scan this folder explains");
      }
      frames.add(f);
    }
    double scale;
    try {
      scale = report.getAsJsonObject("slices").get("display_scale_hu").getAsDouble();
    } catch (RuntimeException e) {
      throw new CtShiftException(reportFile + ": no slices.display_scale_hu: not a complete ctshift report", e);
    }
    Path target = outDir.resolve(ExplanationPage.FILE);
    Path tmp = outDir.resolve("." + ExplanationPage.FILE + ".tmp");
    try {
      ExplanationPage.write(tmp, new ExplanationPage.Content(scanHu, frames, frames.get(0), scale, window, report));
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new CtShiftException(target + ": cannot write: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // Only a leftover temporary file; the page itself was written or the error reported.
      }
    }
    return target;
  }
}
