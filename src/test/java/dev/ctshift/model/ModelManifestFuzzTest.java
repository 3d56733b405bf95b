package dev.ctshift.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ctshift.testing.FuzzFiles;
import java.nio.file.Path;

/**
 * Fuzz target for {@link ModelManifest#read}: any bytes as {@code model.json} either parse or are
 * refused with a {@link ModelLoadException} naming the file. The model files a manifest usually names
 * exist (empty), so the fuzzer reaches the checks past them. {@code mvn test} replays the committed
 * inputs in {@code ModelManifestFuzzTestInputs/}; {@code scripts/fuzz} fuzzes.
 */
class ModelManifestFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void manifest(byte[] data) {
    Path dir = FuzzFiles.scratch().resolve("model");
    if (!dir.toFile().isDirectory()) {
      FuzzFiles.emptyFolder("model");
      for (String f : new String[] {"model.pt", "encoder.pt", "decoder.pt", "model.params"}) {
        FuzzFiles.write("model/" + f, new byte[0]);
      }
    }
    Path file = FuzzFiles.write("model/model.json", data);
    try {
      ModelManifest m = ModelManifest.read(dir);
      m.toString();
    } catch (ModelLoadException e) {
      FuzzFiles.assertClear(e, file);
    }
  }
}
