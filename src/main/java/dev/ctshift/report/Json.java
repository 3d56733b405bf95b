package dev.ctshift.report;

import com.google.gson.JsonArray;

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

  public static JsonArray array(int[] values) {
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

  /** Rounds to 6 significant digits so reports stay readable. */
  public static double round(double v) {
    if (!Double.isFinite(v) || v == 0) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
  }
}
