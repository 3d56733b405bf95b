package dev.ctshift.io.sanity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether an output folder can take a run's outputs, checked before the computation so that a bad
 * {@code --out} fails at once instead of after minutes of work.
 */
public final class OutputFolderCheck {
  private OutputFolderCheck() {}

  /**
   * Why {@code out} cannot be the output folder for {@code input}, or empty if it can: an empty name,
   * an existing file or device, the input itself, or a place where no file can be created (probed by
   * creating and deleting a hidden file in the nearest existing folder, so nothing is left behind).
   */
  public static Optional<String> problem(String out, Path input) {
    if (out == null || out.isBlank()) {
      return Optional.of("--out is empty: give a folder for the outputs");
    }
    Path dir;
    try {
      dir = Path.of(out).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      return Optional.of("--out " + out + " is not a valid path: " + e.getMessage());
    }
    if (input != null && dir.equals(input.toAbsolutePath().normalize())) {
      return Optional.of("--out " + out + " is the input scan itself: choose a folder for the outputs");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      return Optional.of("--out " + out + " exists and is not a folder"
          + (Files.isRegularFile(dir) ? " but a file" : "") + ": choose a folder for the outputs");
    }
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      return Optional.of("--out " + out + ": " + (existing == null ? "no existing parent folder" : existing
          + " is not a folder") + ", so the output folder cannot be created there");
    }
    try {
      Path probe = Files.createTempFile(existing, ".ctshift-write-test-", "");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return Optional.of("--out " + out + ": cannot write in " + existing + " (" + why
          + "): choose a writable folder");
    }
    return Optional.empty();
  }
}
