package dev.ctshift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

  @Test
  void drawsBarAndEpochLineOnATerminal() {
    StringWriter text = new StringWriter();
    ConsoleProgress p = new ConsoleProgress(new PrintWriter(text), true);
    p.onStep(new ProgressListener.Step(2, 10, 5, 10, 0.0123456, Duration.ofSeconds(3725)));
    assertEquals("\repoch 2/10 [##########..........] 5/10 loss 0.01235 ETA 1:02:05", text.toString());

    text.getBuffer().setLength(0);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("psnr", 24.3071);
    metrics.put("ssim", 0.81234);
    p.onEpoch(new ProgressListener.EpochReport(2, 0.013, 0.0119, metrics));
    assertEquals(String.format("%-60s", "\repoch 2 loss 0.01300 val 0.01190 psnr 24.3071 ssim 0.8123")
        + System.lineSeparator(), text.toString());

    text.getBuffer().setLength(0);
    p.onEpoch(new ProgressListener.EpochReport(3, 0.5, Double.NaN, Map.of()));
    assertEquals(String.format("%-60s", "\repoch 3 loss 0.50000") + System.lineSeparator(), text.toString());
  }

  @Test
  void writesPlainLinesElsewhere() {
    StringWriter text = new StringWriter();
    ConsoleProgress p = new ConsoleProgress(new PrintWriter(text), false);
    p.onStep(new ProgressListener.Step(2, 10, 5, 10, 0.0123456, Duration.ofSeconds(3725)));
    // The first step line waits for the 30 s interval: nothing yet, and never a carriage return.
    assertEquals("", text.toString());
    p.onEpoch(new ProgressListener.EpochReport(3, 0.5, Double.NaN, Map.of()));
    assertEquals(String.format("%-60s", "epoch 3 loss 0.50000") + System.lineSeparator(), text.toString());
  }
}
