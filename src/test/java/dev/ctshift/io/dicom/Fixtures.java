package dev.ctshift.io.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The series made by scripts/make_dicom_fixtures.py and their expectations: voxel values follow
 * {@code ((7 i + 13 j + 101 k) % 1500) * scale + offset}; the affine comes from numpy in the script.
 */
final class Fixtures {
  static final Path ROOT = Path.of("src", "test", "resources", "dicom");

  private Fixtures() {}

  static Path dir(String name) {
    return ROOT.resolve(name);
  }

  static JsonObject expected(String name) throws IOException {
    return new Gson().fromJson(Files.readString(ROOT.resolve(name + ".json")), JsonObject.class);
  }

  static double[][] affine(JsonObject e) {
    return new Gson().fromJson(e.get("affine"), double[][].class);
  }

  static double hu(JsonObject e, int i, int j, int k) {
    int kk = k + e.get("firstK").getAsInt();
    return ((7 * i + 13 * j + 101 * kk) % 1500) * e.get("scale").getAsDouble()
        + e.get("offset").getAsDouble();
  }

  /** Asserts dims, affine (1e-4 mm) and every voxel of {@code v} against the expectation. */
  static void assertMatches(JsonObject e, Volume v) {
    int[] dims = new Gson().fromJson(e.get("dims"), int[].class);
    assertArrayEquals(dims, v.dims(), "dims");
    double[][] a = affine(e);
    assertEquals(0, Affine.maxAbsDiff(a, v.affine()), 1e-4,
        () -> "affine " + Affine.toString(v.affine()) + " expected " + Affine.toString(a));
    for (int k = 0; k < v.nz(); k++) {
      for (int j = 0; j < v.ny(); j++) {
        for (int i = 0; i < v.nx(); i++) {
          double want = hu(e, i, j, k);
          if (v.get(i, j, k) != want) {
            throw new AssertionError("voxel (" + i + ", " + j + ", " + k + ") is " + v.get(i, j, k)
                + ", expected " + want);
          }
        }
      }
    }
  }
}
