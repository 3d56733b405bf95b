package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ctshift.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22: a disk that fills up while the outputs are written leaves nothing behind, not even the output
 * folder or the parents the run created. The full disk is stood in for by a file-size limit on the child
 * process ({@code ulimit -f}): writes beyond it fail with "File too large" (EFBIG) as they would with
 * "No space left on device" (ENOSPC), through the same IOException path; a real full filesystem needs a
 * mount. The limit (600 KiB) lets the JVM unpack JNA's 134 KB library but not frames.nii.gz (~0.9 MB).
 */
class FullDiskTest {
  @TempDir Path dir;

  @Test
  void aWriteThatFailsLeavesNoOutputFolderAndNamesThePathAndReason() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    assumeTrue(classPath != null && classPath.contains("picocli"), "needs the test class path to start ctshift");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
    Path created = dir.resolve("new");
    Path out = created.resolve("deeper").resolve("out");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(List.of("/bin/bash", "-c", "ulimit -f 600 && exec \"$0\" \"$@\"",
        java.toString(), "-XX:-UsePerfData", "-Doffline=true", "-cp", classPath, "dev.ctshift.cli.Main", "explain",
        Path.of("samples/phantom-normal.nii.gz").toAbsolutePath().toString(), "-a", Fixtures.model("tiny-ae").toString(), "-m",
        Fixtures.model("tiny-classifier").toString(), "-o", out.toString(), "--frames", "3", "--max-evaluations",
        "4", "-q"));
    pb.environment().put("ONEDNN_MAX_CPU_ISA", "SSE41");
    Process p = pb.redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "ctshift did not end");
    String log = Files.readString(dir.resolve("log.txt"));
    assertEquals(1, p.exitValue(), log);
    assertTrue(log.contains("ctshift: error: " + out) && log.contains("frames.nii.gz: cannot write")
        && log.contains("File too large"), log);
    assertFalse(log.contains("\tat "), "no stack trace:\n" + log);
    assertFalse(Files.exists(created), "the run created " + created + " and must remove it again");
    assertTrue(Files.isDirectory(dir), "what existed before stays");
  }
}
