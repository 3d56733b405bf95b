package dev.ctshift.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes the process's peak resident memory ({@code VmHWM}) a per-scan figure. */
public final class PeakMemory {
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private PeakMemory() {}

  /**
   * Resets the peak to the current resident size (Linux: "5" to {@code /proc/self/clear_refs}); where
   * that is not possible the peak stays the process's peak so far.
   */
  public static void reset() {
    try {
      Files.writeString(CLEAR_REFS, "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux or not permitted: the figure is then the peak since the process started.
    }
  }
}
