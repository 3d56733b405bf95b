package dev.ctshift.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Map;

/** Small helpers for building report JSON. */
public final class Json {
  private Json() {}

  /** Numbers rounded to {@code digits} significant decimals after the point. */
  public static JsonArray array(double[] values, int digits) {
    JsonArray a = new JsonArray();
    double scale = Math.pow(10, digits);
    for (double v : values) {
      a.add(Double.isFinite(v) ? Math.round(v * scale) / scale : v);
    }
    return a;
  }

  /** Numbers as they are (not rounded). */
  public static JsonArray array(double... values) {
    JsonArray a = new JsonArray();
    for (double v : values) {
      a.add(v);
    }
    return a;
  }

  public static JsonArray array(int... values) {
    JsonArray a = new JsonArray();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  public static JsonArray array(Iterable<String> values) {
    JsonArray a = new JsonArray();
    for (String v : values) {
      a.add(v);
    }
    return a;
  }

  /** An object of the given numbers by name, in the map's order, each {@link #round}ed. */
  public static JsonObject rounded(Map<String, Double> values) {
    JsonObject o = new JsonObject();
    values.forEach((k, v) -> o.addProperty(k, round(v)));
    return o;
  }

  /** Rounds to 6 significant digits so reports stay readable. */
  public static double round(double v) {
    if (!Double.isFinite(v) || v == 0) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
  }

  /**
   * A deep copy of {@code e} with every NaN or infinite number replaced by null: JSON has no such numbers,
   * and Gson would write them bare (invalid JSON) when serializing a tree.
   */
  public static com.google.gson.JsonElement finite(com.google.gson.JsonElement e) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      double v = e.getAsDouble();
      return Double.isFinite(v) ? e : com.google.gson.JsonNull.INSTANCE;
    }
    if (e.isJsonArray()) {
      JsonArray a = new JsonArray();
      e.getAsJsonArray().forEach(x -> a.add(finite(x)));
      return a;
    }
    if (e.isJsonObject()) {
      JsonObject o = new JsonObject();
      e.getAsJsonObject().entrySet().forEach(x -> o.add(x.getKey(), finite(x.getValue())));
      return o;
    }
    return e;
  }
}
