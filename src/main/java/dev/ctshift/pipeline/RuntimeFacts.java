package dev.ctshift.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Facts about the running process and files that reports record. */
public final class RuntimeFacts {
  private RuntimeFacts() {}

  /**
   * Peak resident set size of this process in MiB (Linux {@code VmHWM}: Java heap, native tensors and
   * libraries together), or -1 where {@code /proc} is not available.
   */
  public static double peakRssMiB() {
    return procStatusKiB("VmHWM:") / 1024.0;
  }

  /** Current resident set size in MiB, or -1. */
  public static double rssMiB() {
    return procStatusKiB("VmRSS:") / 1024.0;
  }

  private static long procStatusKiB(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1024;
    }
    return -1024;
  }

  /** SHA-256 of a file, hex. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
