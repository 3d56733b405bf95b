package dev.ctshift.volume.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ctshift.volume.Affine;
import dev.ctshift.volume.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleIntensityRangeTest {

  /** Expected values worked out by hand; "back" is what the inverse returns (clipped values lost). */
  @ParameterizedTest(name = "[{0}, {1}] -> [{2}, {3}] clip={4}: {5} -> {6} -> {7}")
  @CsvSource({
    "-1000, 1000, 0, 1, true, 0, 0.5, 0",
    "-1000, 1000, 0, 1, true, -1000, 0, -1000",
    "-1000, 1000, 0, 1, true, 1000, 1, 1000",
    "-1000, 1000, 0, 1, true, -3000, 0, -1000",
    "-1000, 1000, 0, 1, true, 1500, 1, 1000",
    "-1000, 1000, 0, 1, false, 1500, 1.25, 1500",
    "-1000, 1000, 0, 1, false, -3000, -1, -3000",
    "-160, 240, -1, 1, true, 40, 0, 40",
    "-160, 240, -1, 1, true, 140, 0.5, 140",
    "-160, 240, -1, 1, true, 400, 1, 240",
    "0, 100, 1, 0, true, 25, 0.75, 25",
    "0, 100, 1, 0, true, 150, 0, 100",
    "0, 100, 1, 0, true, -50, 1, 0"
  })
  void mapsLinearlyWithClipAndInvertsLinearly(double aMin, double aMax, double bMin, double bMax,
      boolean clip, float x, float expected, float back) {
    ScaleIntensityRange step = new ScaleIntensityRange(aMin, aMax, bMin, bMax, clip);
    Volume in = new Volume(2, 1, 1, new float[] {x, x}, Affine.ofSpacing(1, 1, 1));

    Volume out = step.apply(in);
    Volume inverted = step.invert(out, VolumeGeometry.of(in));

    assertEquals(expected, out.get(1, 0, 0), 1e-6);
    assertEquals(back, inverted.get(1, 0, 0), 1e-3);
    assertEquals(x, in.get(1, 0, 0), "input must not change");
  }

  @ParameterizedTest(name = "[{0}, {1}] -> [{2}, {3}] scale {4}")
  @CsvSource({
    "-1000, 1000, 0, 1, 0.0005",
    "-160, 240, -1, 1, 0.005",
    "0, 100, 1, 0, -0.01"
  })
  void scaleIsOutputUnitsPerInputUnit(double aMin, double aMax, double bMin, double bMax, double scale) {
    assertEquals(scale, new ScaleIntensityRange(aMin, aMax, bMin, bMax, true).scale(), 1e-15);
  }

  @Test
  void isAnIntensityStepAndRejectsEmptyRanges() {
    assertFalse(new ScaleIntensityRange(0, 1, 0, 1, true).isSpatial());
    assertThrows(IllegalArgumentException.class, () -> new ScaleIntensityRange(5, 5, 0, 1, true));
    assertThrows(IllegalArgumentException.class, () -> new ScaleIntensityRange(0, 1, 2, 2, true));
  }
}
