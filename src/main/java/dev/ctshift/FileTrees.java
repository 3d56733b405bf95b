package dev.ctshift;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes folder trees: staged outputs that did not complete, a batch scan's outputs before it is redone. */
public final class FileTrees {
  private FileTrees() {}

  /** Deletes {@code root} and everything below it, if it exists (children before their folder). */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
