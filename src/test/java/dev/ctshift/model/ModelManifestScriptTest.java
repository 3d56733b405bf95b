package dev.ctshift.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Python-made models' manifests ({@code scripts/model_manifest.py}, used by scripts/make_*_models.py) are
 * written as {@link ModelManifest#toJson()} writes them: same keys, order and number forms, byte for byte.
 */
class ModelManifestScriptTest {

  @Test
  void thePythonWriterWritesWhatTheJavaWriterWrites() throws Exception {
    String out = run("python3", "scripts/model_manifest.py");
    String[] texts = out.split("(?m)^---\n");
    assertEquals(4, texts.length, out);
    for (String text : texts) {
      ModelManifest m = ModelManifest.parse(JsonParser.parseString(text).getAsJsonObject(), "unused").build();
      assertEquals(text, m.toJson());
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("python3 is not installed (scripts/setup installs it): " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
