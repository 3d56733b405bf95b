package dev.ctshift.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process (Java heap, native tensors and libraries together), read from
 * Linux's {@code /proc/self/status}. Elsewhere the figures are -1.
 */
public final class ProcessMemory {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private ProcessMemory() {}

  /** Peak resident set size in MiB ({@code VmHWM}) since start or the last {@link #resetPeak()}. */
  public static double peakRssMiB() {
    return statusKiB("VmHWM:") / 1024.0;
  }

  /** Current resident set size in MiB ({@code VmRSS}). */
  public static double rssMiB() {
    return statusKiB("VmRSS:") / 1024.0;
  }

  /**
   * Resets the peak to the current resident size ("5" to {@code /proc/self/clear_refs}), so that a
   * later {@link #peakRssMiB()} is the peak of what ran in between. Where that is not possible the
   * peak stays the process's peak so far.
   */
  public static void resetPeak() {
    try {
      Files.writeString(CLEAR_REFS, "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux or not permitted: the figure stays the peak since the process started.
    }
  }

  private static long statusKiB(String key) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1024;
    }
    return -1024;
  }
}
