package dev.ctshift.report;

import dev.ctshift.CtShiftException;
import dev.ctshift.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Outputs of one run, written into a hidden staging folder beside their destination and moved into
 * place only by {@link #commit()}. A run that fails or is killed leaves no partial output in the
 * destination: closing without commit deletes the staging folder, and a staging folder left by a
 * killed process (its name carries the pid) is hidden and removed by the next run into the same
 * destination. Folders created for the destination are removed again when nothing was committed (a full
 * disk leaves no empty output folder).
 *
 * <pre>{@code
 * try (StagedOutput out = StagedOutput.into(dir)) {
 *   write(out.file("report.json"));
 *   out.commit();
 * }
 * }</pre>
 */
public final class StagedOutput implements AutoCloseable {
  private static final String PREFIX = ".ctshift-staging-";

  private final Path destination;
  private final Path staging;
  /** Folders that did not exist before this run, outermost first: removed if nothing is committed. */
  private final List<Path> created;
  private boolean committed;

  private StagedOutput(Path destination, Path staging, List<Path> created) {
    this.destination = destination;
    this.staging = staging;
    this.created = created;
  }

  /**
   * Prepares staging for {@code destination} (a folder, created if needed).
   *
   * @throws CtShiftException if the folder cannot be created or written
   */
  public static StagedOutput into(Path destination) throws CtShiftException {
    List<Path> created = new ArrayList<>();
    for (Path p = destination.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
      created.add(0, p);
    }
    try {
      Files.createDirectories(destination);
      removeStale(destination);
      Path staging = Files.createTempDirectory(destination, PREFIX + ProcessHandle.current().pid() + "-");
      return new StagedOutput(destination, staging, created);
    } catch (IOException e) {
      removeEmpty(created);
      throw new CtShiftException(destination + ": cannot create the output folder: " + reason(e), e);
    }
  }

  /** The message of an I/O failure with its kind, e.g. "No space left on device" or "AccessDeniedException: /x". */
  private static String reason(IOException e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Removes {@code folders} (outermost first) innermost first, stopping at one that is not empty. */
  private static void removeEmpty(List<Path> folders) {
    for (int i = folders.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(folders.get(i));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void removeStale(Path destination) throws IOException {
    try (Stream<Path> entries = Files.list(destination)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().startsWith(PREFIX) && !ownedByLiveProcess(p)) {
          FileTrees.delete(p);
        }
      }
    }
  }

  /** Staging folders are named after their process: one whose process is gone was abandoned. */
  private static boolean ownedByLiveProcess(Path p) {
    String rest = p.getFileName().toString().substring(PREFIX.length());
    int dash = rest.indexOf('-');
    try {
      long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Where to write output {@code name} (a file name, or a relative path whose folders are created). */
  public Path file(String name) {
    Path p = staging.resolve(name);
    try {
      Files.createDirectories(p.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** The staging folder itself, for writers that fill a whole folder. */
  public Path folder() {
    return staging;
  }

  /** The final location of output {@code name}, once committed. */
  public Path destination(String name) {
    return destination.resolve(name);
  }

  /**
   * Moves every staged output into the destination, replacing outputs of the same name.
   *
   * @throws CtShiftException if a move fails (outputs already moved stay; the rest is removed)
   */
  public void commit() throws CtShiftException {
    try (Stream<Path> entries = Files.list(staging)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        Path target = destination.resolve(p.getFileName().toString());
        if (Files.isDirectory(target)) {
          FileTrees.delete(target);
        }
        try {
          Files.move(p, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
          Files.move(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      committed = true;
    } catch (IOException e) {
      throw new CtShiftException(destination + ": cannot move outputs into place: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      FileTrees.delete(staging);
    } catch (IOException e) {
      if (!committed) {
        System.err.println("ctshift: warning: could not remove " + staging + ": " + e.getMessage());
      }
    }
    if (!committed) {
      removeEmpty(created);
    }
  }
}
