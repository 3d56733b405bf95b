package dev.ctshift.batch;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ctshift.io.VolumeReadException;
import dev.ctshift.testing.FuzzFiles;
import java.nio.file.Path;

/**
 * Fuzz targets for {@link ManifestReader}, the batch manifest in its two forms: any bytes either give
 * entries or a {@link VolumeReadException} naming the file. {@code mvn test} replays the committed
 * inputs in {@code ManifestReaderFuzzTestInputs/}; {@code scripts/fuzz} fuzzes.
 */
class ManifestReaderFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void csv(byte[] data) {
    read(FuzzFiles.write("scans.csv", data));
  }

  @FuzzTest(maxDuration = "10m")
  void jsonl(byte[] data) {
    read(FuzzFiles.write("scans.jsonl", data));
  }

  private static void read(Path file) {
    try {
      for (ManifestReader.Entry e : ManifestReader.read(file)) {
        if (e.path() == null || e.path().isBlank()) {
          throw new AssertionError("entry without a path: " + e);
        }
      }
    } catch (VolumeReadException e) {
      FuzzFiles.assertClear(e, file);
    }
  }
}
