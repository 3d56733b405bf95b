package dev.ctshift.testing;

import dev.ctshift.CtShiftException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Scratch files for the fuzz tests (the readers take paths, so each input is written to a file first)
 * and the check every fuzz test applies to a refusal: the message is the project's own, names the
 * input and says something.
 */
public final class FuzzFiles {
  /** Separates the files of a multi-file input (a DICOM folder) in one fuzz input. */
  public static final byte[] FILE_SEPARATOR = "\n--next-file--\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static Path scratch;

  private FuzzFiles() {}

  /** A folder for this JVM's fuzz inputs, on tmpfs when there is one (the inputs are rewritten often). */
  public static synchronized Path scratch() {
    if (scratch == null) {
      try {
        Path shm = Path.of("/dev/shm");
        scratch = Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "ctshift-fuzz") : Files.createTempDirectory("ctshift-fuzz");
        Path dir = scratch;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return scratch;
  }

  /** Writes {@code data} to {@code name} in the scratch folder, replacing what was there. */
  public static Path write(String name, byte[] data) {
    try {
      return Files.write(scratch().resolve(name), data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An empty folder {@code name} in the scratch folder. */
  public static Path emptyFolder(String name) {
    Path dir = scratch().resolve(name);
    deleteTree(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code data} cut at each {@link #FILE_SEPARATOR}. */
  public static List<byte[]> split(byte[] data) {
    List<byte[]> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i + FILE_SEPARATOR.length <= data.length; i++) {
      if (java.util.Arrays.equals(data, i, i + FILE_SEPARATOR.length, FILE_SEPARATOR, 0, FILE_SEPARATOR.length)) {
        parts.add(java.util.Arrays.copyOfRange(data, start, i));
        start = i + FILE_SEPARATOR.length;
        i = start - 1;
      }
    }
    parts.add(java.util.Arrays.copyOfRange(data, start, data.length));
    return parts;
  }

  /**
   * Fails (a fuzz finding) unless the refusal's message names {@code input} and says what is wrong:
   * not blank and not ending in " null" (what a message built from an exception without a message
   * looks like).
   */
  public static void assertClear(CtShiftException e, Path input) {
    String m = e.getMessage();
    if (m == null || m.isBlank() || !m.contains(input.getFileName().toString()) || m.endsWith(" null")
        || m.endsWith(": ")) {
      throw new AssertionError("unclear message for " + input + ": " + m, e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
