package dev.ctshift.batch;

import dev.ctshift.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** File helpers of batch runs: removal of what an interrupted atomic write left. */
final class Trees {
  private Trees() {}

  /** Removes temporary files that {@link AtomicFiles#writeString} left for {@code target} when a run was killed. */
  static void removeTemporaries(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      return;
    }
    String prefix = "." + target.getFileName() + ".";
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith(prefix) && n.endsWith(".tmp")) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
