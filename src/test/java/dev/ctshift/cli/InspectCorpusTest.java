package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ctshift.io.ScanReader;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every file of two public test corpora, Debian's {@code python3-pydicom} test files and
 * {@code python3-nibabel} test data (DICOM of many kinds, NIfTI, Analyze, MINC, MGH, PAR/REC,
 * tractography, GIFTI, text), goes through {@code ctshift inspect} and {@link ScanReader#read} in
 * this one JVM. Each must read, or be refused with exit 3 / a {@link VolumeReadException} whose
 * message names the file, within a few seconds. scripts/setup installs both packages.
 */
class InspectCorpusTest {
  static final Path PYDICOM = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
  static final Path NIBABEL = Path.of("/usr/lib/python3/dist-packages/nibabel");
  /** Longest inspecting and reading a single file may take (a warm JVM on a busy 2-core machine). */
  static final long MAX_MILLIS = 5000;

  @Test
  void everyCorpusFileReadsOrIsRefusedClearly() throws IOException {
    assumeTrue(Files.isDirectory(PYDICOM) && Files.isDirectory(NIBABEL),
        "Debian's python3-pydicom and python3-nibabel are not installed (scripts/setup installs them)");
    List<Path> files = new ArrayList<>(files(PYDICOM));
    try (Stream<Path> dirs = Files.walk(NIBABEL)) {
      for (Path d : dirs.filter(p -> p.endsWith(Path.of("tests", "data"))).toList()) {
        files.addAll(files(d));
      }
    }
    assertTrue(files.size() > 150, "expected the whole corpus, found " + files.size() + " files");
    List<String> failures = new ArrayList<>();
    List<Path> slow = new ArrayList<>();
    int read = 0;
    for (Path f : files) {
      Outcome o = check(f);
      failures.addAll(o.problems);
      read += o.read ? 1 : 0;
      if (o.millis > MAX_MILLIS) {
        slow.add(f);
      }
    }
    // The first file of a kind also pays for loading its codec's classes: time slow ones once more.
    for (Path f : slow) {
      long millis = check(f).millis;
      if (millis > MAX_MILLIS) {
        failures.add(f + ": took " + millis + " ms to inspect and read, also the second time");
      }
    }
    System.out.printf("corpus: %d files, %d read as scans, %d refused, %d timed twice%n", files.size(), read,
        files.size() - read, slow.size());
    assertTrue(failures.isEmpty(), failures.size() + " of " + files.size() + " files misbehaved:\n"
        + String.join("\n", failures));
    assertTrue(read >= 5, "only " + read + " of " + files.size() + " files could be read at all");
  }

  private record Outcome(boolean read, long millis, List<String> problems) {}

  /** Inspects and reads {@code f}; problems are broken promises (exit code, exception, message). */
  private static Outcome check(Path f) {
    List<String> problems = new ArrayList<>();
    long t0 = System.nanoTime();
    Cli.Run run = Cli.run("inspect", f.toString());
    if (run.code() != 0 && !(run.code() == Main.EXIT_INPUT && run.err().contains(f.getFileName().toString()))) {
      problems.add(f + ": inspect exit " + run.code() + ": " + run.err().strip());
    }
    boolean read = false;
    try {
      ScanReader.read(f, null, line -> { });
      read = true;
    } catch (VolumeReadException e) {
      if (e.getMessage() == null || !e.getMessage().contains(f.getFileName().toString())) {
        problems.add(f + ": message does not name the file: " + e.getMessage());
      }
    } catch (RuntimeException | Error e) {
      problems.add(f + ": read threw " + e);
    }
    return new Outcome(read, (System.nanoTime() - t0) / 1_000_000, problems);
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
