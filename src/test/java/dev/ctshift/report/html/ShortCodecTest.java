package dev.ctshift.report.html;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The page's array packing, undone here step by step as report.js does it. */
class ShortCodecTest {
  /** What report.js does after gunzip: byte planes, zigzag, running sum in 16 bits. */
  static short[] decode(byte[] gz) throws Exception {
    byte[] planes;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      planes = in.readAllBytes();
    }
    int n = planes.length / 2;
    short[] out = new short[n];
    int previous = 0;
    for (int i = 0; i < n; i++) {
      int zigzag = (planes[i] & 0xff) | (planes[n + i] & 0xff) << 8;
      previous = (short) (previous + ((zigzag >>> 1) ^ -(zigzag & 1)));
      out[i] = (short) previous;
    }
    return out;
  }

  @Test
  void roundTripsEvery16BitValueIncludingWrapAround() throws Exception {
    short[] v = new short[70_000];
    Random r = new Random(5);
    for (int i = 0; i < v.length; i++) {
      v[i] = i < 4 ? new short[] {Short.MIN_VALUE, Short.MAX_VALUE, Short.MIN_VALUE, 0}[i] : (short) r.nextInt();
    }
    assertArrayEquals(v, decode(ShortCodec.encode(v)));
    assertArrayEquals(new short[0], decode(ShortCodec.encode(new short[0])));
    assertArrayEquals(v, ShortCodec.decode(ShortCodec.encode(v)), "the codec's own decoder");
    assertArrayEquals(new short[0], ShortCodec.decode(ShortCodec.encode(new short[0])));
  }

  @Test
  void smoothDataPacksFarSmallerThanRaw() throws Exception {
    short[] v = new short[100_000];
    Random r = new Random(6);
    for (int i = 0; i < v.length; i++) {
      v[i] = (short) (-1000 + (i % 300) * 5 + r.nextInt(9) - 4); // a ramp with +-4 HU noise
    }
    byte[] packed = ShortCodec.encode(v);
    assertArrayEquals(v, decode(packed));
    assertTrue(packed.length < v.length * 2 / 3, "packed " + packed.length + " bytes of " + 2 * v.length);
  }
}
