package dev.ctshift.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths to the committed test models and readers for their PyTorch reference values. */
public final class Fixtures {
  public static final Path MODELS = Path.of("src/test/resources/models");
  public static final Path REFERENCE = MODELS.resolve("reference");

  private Fixtures() {}

  public static Path model(String name) {
    return MODELS.resolve(name);
  }

  /** A reference tensor (raw little-endian float32, C order). */
  public static float[] tensor(String name) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(REFERENCE.resolve(name + ".f32")))
        .order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / 4];
    b.asFloatBuffer().get(v);
    return v;
  }

  /** The "values" object of reference.json. */
  public static JsonObject values() throws IOException {
    return JsonParser.parseString(Files.readString(REFERENCE.resolve("reference.json")))
        .getAsJsonObject().getAsJsonObject("values");
  }

  /** max |a - b| / max |b|. */
  public static double relativeError(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("length " + a.length + " != " + b.length);
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num = Math.max(num, Math.abs((double) a[i] - b[i]));
      den = Math.max(den, Math.abs((double) b[i]));
    }
    return num / den;
  }
}
