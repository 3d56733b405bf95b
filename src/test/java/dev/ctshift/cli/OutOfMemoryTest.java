package dev.ctshift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ctshift.io.nifti.NiftiDatatype;
import dev.ctshift.io.nifti.NiftiWriter;
import dev.ctshift.testing.Fixtures;
import dev.ctshift.volume.Volume;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running out of Java heap in {@code explain} ends in one line with advice and exit code 1, not a stack
 * trace. Runs ctshift in a child JVM with a 56 MB heap: a 256x256x100 scan (26 MB as float32) is read,
 * checked and explained with the tiny models, and mapping its 10 frames back to the scan grid overflows.
 */
class OutOfMemoryTest {
  @TempDir Path dir;

  @Test
  void outOfMemoryInExplainIsOneLineWithAdvice() throws Exception {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    assumeTrue(classPath != null && classPath.contains("picocli"), "needs the test class path to start ctshift");
    int nx = 256;
    int ny = 256;
    int nz = 100;
    float[] hu = new float[nx * ny * nz];
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          boolean body = j >= 48 && j < 208 && i >= 32 && i < 224;
          boolean lung = j >= 80 && j < 176 && (i >= 60 && i < 120 || i >= 136 && i < 196);
          hu[i + nx * (j + ny * k)] = lung ? -800 : body ? 40 : -1000;
        }
      }
    }
    double[][] affine = {{1.5, 0, 0, -190}, {0, 1.5, 0, -190}, {0, 0, 1.5, -100}, {0, 0, 0, 1}};
    Path scan = dir.resolve("large.nii.gz");
    NiftiWriter.write(scan, new Volume(nx, ny, nz, hu, affine),
        NiftiWriter.Options.defaults().withDatatype(NiftiDatatype.INT16));
    Path out = dir.resolve("out");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx56m", "-Doffline=true", "-cp", classPath,
        "dev.ctshift.cli.Main", "explain", scan.toString(), "-a", Fixtures.model("tiny-ae").toString(), "-m",
        Fixtures.model("tiny-classifier").toString(), "-o", out.toString(), "--frames", "10", "-q"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "ctshift did not end");
    String log = Files.readString(dir.resolve("log.txt"));
    assertEquals(1, p.exitValue(), log);
    assertTrue(log.contains("ctshift: error: " + scan + ": out of memory (Java heap space)"), log);
    assertTrue(log.contains("--chunk-slices") && log.contains("--frames") && log.contains("CTSHIFT_JAVA_OPTS=-Xmx"),
        log);
    assertFalse(log.contains("\tat ") || log.contains("OutOfMemoryError"), "no stack trace:\n" + log);
    assertFalse(Files.exists(out), "no output folder");
  }
}
