package dev.ctshift.report;

import dev.ctshift.compose.ScanSpaceMapper;
import dev.ctshift.report.render.Colormap;
import dev.ctshift.report.render.Panel;
import dev.ctshift.report.render.PngWriter;
import dev.ctshift.report.render.SliceView;
import dev.ctshift.report.render.Window;
import dev.ctshift.volume.Volume;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code panel.png} of an explanation of several targets: one row per target, its most changed slice
 * as input | counterfactual | change, drawn like a row of each target's own {@code panel.png}. Rows
 * are rendered as each target is done, so the volumes need not be kept.
 */
public final class TargetsPanel {
  private final Window window;
  private final List<BufferedImage> rows = new ArrayList<>();

  public TargetsPanel(Window window) {
    this.window = window;
  }

  /**
   * Adds the row of one target.
   *
   * @param slice the scan slice shown (the target's most changed)
   * @param changeScaleHu the change shown at full colour, HU (the target's panel uses the same)
   */
  public void add(String target, Volume scanHu, Volume counterfactualHu, int slice, double changeScaleHu,
      double scoreBefore, double scoreAfter) {
    Volume difference = ScanSpaceMapper.difference(counterfactualHu, scanHu);
    rows.add(Panel.row(List.of(
        new Panel.Tile(render(scanHu, slice, window), String.format("%s: input k=%d %.3f", target, slice,
            scoreBefore)),
        new Panel.Tile(render(counterfactualHu, slice, window), String.format("counterfactual %.3f", scoreAfter)),
        new Panel.Tile(render(difference, slice, Colormap.diverging(changeScaleHu)),
            String.format("change ±%.0f HU", changeScaleHu)))));
  }

  /** Whether no row was added. */
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Writes the rows, top to bottom in the order added. */
  public void write(Path file) throws IOException {
    PngWriter.write(file, Panel.column(rows));
  }

  private static BufferedImage render(Volume v, int k, Colormap colormap) {
    return SliceView.of(v, k).render(colormap, SliceView.DEFAULT_MIN_HEIGHT_PX);
  }
}
