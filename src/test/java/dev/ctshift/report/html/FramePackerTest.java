package dev.ctshift.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.ctshift.report.render.Window;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  @Test
  void framesGivenInAnyOrderMakeTheSamePage() throws Exception {
    Random r = new Random(2);
    double[][] affine = {{-0.8, 0, 0, 0}, {0, -0.8, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 1}};
    float[] scanValues = new float[40 * 30 * 12];
    for (int i = 0; i < scanValues.length; i++) {
      scanValues[i] = (float) (r.nextGaussian() * 400 - 300);
    }
    Volume scan = new Volume(40, 30, 12, scanValues, affine);
    List<Volume> frames = new ArrayList<>();
    for (int f = 0; f < 5; f++) {
      float[] v = scanValues.clone();
      for (int i = 0; i < v.length; i += 7) {
        v[i] += (5 - f) * 13.7f;
      }
      frames.add(new Volume(40, 30, 12, v, affine));
    }
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
}
