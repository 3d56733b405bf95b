package dev.ctshift.phantom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CapsuleTest {
  @Test
  void distanceMatchesDenseSamplingOfTheAxis() {
    Capsule c = new Capsule(1, 2, 3, 21, -8, 13, 3, 3);
    SplittableRandom rng = new SplittableRandom(5);
    for (int n = 0; n < 200; n++) {
      double x = rng.nextDouble() * 60 - 20;
      double y = rng.nextDouble() * 60 - 30;
      double z = rng.nextDouble() * 60 - 20;
      double best = Double.MAX_VALUE;
      for (int s = 0; s <= 20000; s++) {
        double t = s / 20000.0;
        double dx = x - (1 + 20 * t);
        double dy = y - (2 - 10 * t);
        double dz = z - (3 + 10 * t);
        best = Math.min(best, Math.sqrt(dx * dx + dy * dy + dz * dz));
      }
      assertEquals(best - 3, c.signedDistance(x, y, z), 1e-3);
    }
  }

  @Test
  void taperInterpolatesTheRadiusAlongTheAxis() {
    Capsule c = new Capsule(0, 0, 0, 10, 0, 0, 4, 2);
    assertEquals(-4, c.signedDistance(0, 0, 0), 1e-12);
    assertEquals(-3, c.signedDistance(5, 0, 0), 1e-12);
    assertEquals(5 - 3, c.signedDistance(5, 5, 0), 1e-12);
    assertEquals(-2, c.signedDistance(10, 0, 0), 1e-12);
  }
}
