package dev.ctshift.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ctshift.report.render.Window;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page made from frames handed to a {@link ExplanationPage.FramePacker} as other writers read them
 * (in any order, some not at all) is the page made from the frame list alone, byte for byte.
 */
class FramePackerTest {
  @TempDir Path dir;

  private static final double[][] AFFINE = {{-0.8, 0, 0, 0}, {0, -0.8, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};

  private final Volume scan = noise(new Random(2));
  private final List<Volume> frames = changes(scan);

  @Test
  void framesGivenInAnyOrderMakeTheSamePage() throws Exception {
    JsonObject report = new JsonObject();
    ExplanationPage.Content content = new ExplanationPage.Content(scan, frames, frames.get(0), 40, Window.CHEST, report);

    Path alone = dir.resolve("alone.html");
    ExplanationPage.write(alone, content);
    Path packed = dir.resolve("packed.html");
    try (ExplanationPage.FramePacker packer = new ExplanationPage.FramePacker(scan, frames.size())) {
      packer.add(3, frames.get(3));
      packer.add(0, frames.get(0));
      packer.add(3, frames.get(3)); // a frame read twice is packed once
      packer.add(4, frames.get(4));
      ExplanationPage.write(packed, content, packer); // frames 1 and 2 are read from the list
    }
    assertEquals(Files.readString(alone), Files.readString(packed));
    assertEquals(ExplanationPage.render(content), Files.readString(alone));
  }

  /**
   * Frames reduced to fit the page's budget come from the packed frames: each frame is read once, as
   * the writer's frames (mapped from model space as they are read) can be.
   */
  @Test
  void framesOverTheBudgetAreReducedWithoutBeingReadAgain() throws Exception {
    int[] reads = new int[frames.size()];
    List<Volume> readOnce = new AbstractList<>() {
      @Override
      public Volume get(int i) {
        reads[i]++;
        return frames.get(i);
      }

      @Override
      public int size() {
        return frames.size();
      }
    };
    String page = ExplanationPage.render(new ExplanationPage.Content(scan, readOnce, frames.get(0), 40,
        Window.CHEST, new JsonObject()), 1);
    assertEquals("[1, 1, 1, 1, 1]", java.util.Arrays.toString(reads));
    DisplayGrid grid = new DisplayGrid(scan);
    for (int f = 1; f < frames.size(); f++) {
      short[] reduced = ExplanationPage.reduce(grid.differenceToDisplay(frames.get(f).data(), scan.data()),
          grid.dims(), ExplanationPage.MAX_REDUCTION);
      String blob = Base64.getEncoder().encodeToString(ShortCodec.encode(reduced));
      assertTrue(page.contains("id=\"blob-" + (f + 1) + "\">" + blob + "<"), "frame " + f + " reduced from its own values");
    }
  }

  private static Volume noise(Random r) {
    float[] values = new float[40 * 30 * 12];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (r.nextGaussian() * 400 - 300);
    }
    return new Volume(40, 30, 12, values, AFFINE);
  }

  /** Five frames, each changing every seventh voxel of {@code scan} by less than the one before. */
  private static List<Volume> changes(Volume scan) {
    List<Volume> frames = new ArrayList<>();
    for (int f = 0; f < 5; f++) {
      float[] v = scan.data().clone();
      for (int i = 0; i < v.length; i += 7) {
        v[i] += (5 - f) * 13.7f;
      }
      frames.add(new Volume(40, 30, 12, v, AFFINE));
    }
    return frames;
  }
}
