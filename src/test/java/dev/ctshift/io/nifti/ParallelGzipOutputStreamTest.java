package dev.ctshift.io.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ctshift.volume.Volume;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parallel gzip stream against the JDK's own gzip reader, a raw inflater (one member, nothing after
 * it) and nibabel: every length around the block size, any cut of the writes, any thread count.
 */
class ParallelGzipOutputStreamTest {
  private static final int BLOCK = ParallelGzipOutputStream.BLOCK_BYTES;

  @TempDir Path dir;

  /** CT-like bytes: float32 noise around a few levels, with runs of one value (air). */
  private static byte[] data(int length, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[length];
    int i = 0;
    while (i < length) {
      int run = 1 + r.nextInt(4000);
      boolean air = r.nextInt(3) == 0;
      for (int k = 0; k < run && i < length; k++) {
        int bits = Float.floatToIntBits(air ? -1000f : 40f + 20f * (float) r.nextGaussian());
        for (int j = 0; j < 4 && i < length; j++) {
          b[i++] = (byte) (bits >> 8 * j);
        }
      }
    }
    return b;
  }

  /** {@code data} through the stream, written in pieces of {@code piece} bytes (and single bytes at first). */
  private static byte[] compress(byte[] data, int threads, int piece) throws IOException {
    return compress(data, threads, piece, Deflater.DEFAULT_STRATEGY);
  }

  private static byte[] compress(byte[] data, int threads, int piece, int strategy) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new ParallelGzipOutputStream(bytes, Deflater.BEST_SPEED, strategy, threads)) {
      int pos = 0;
      for (; pos < Math.min(3, data.length); pos++) {
        out.write(data[pos]);
      }
      while (pos < data.length) {
        int n = Math.min(piece, data.length - pos);
        out.write(data, pos, n);
        pos += n;
      }
    }
    return bytes.toByteArray();
  }

  /**
   * Entropy coding alone reads back the same, and is really what was asked for: the runs of one value
   * that LZ77 codes in a few bytes cost it about a bit per byte.
   */
  @Test
  void huffmanOnlyGivesTheDataBackWithoutFindingRepeats() throws Exception {
    byte[] data = data(3 * BLOCK + 777, 7);
    byte[] huffman = compress(data, 2, 65_537, Deflater.HUFFMAN_ONLY);
    byte[] standard = compress(data, 2, 65_537, Deflater.DEFAULT_STRATEGY);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(huffman))) {
      assertArrayEquals(data, in.readAllBytes());
    }
    assertTrue(huffman.length > 1.2 * standard.length, huffman.length + " against " + standard.length);
    assertArrayEquals(huffman, compress(data, 1, 4096, Deflater.HUFFMAN_ONLY), "the bytes depend on the threads");
    assertArrayEquals(huffman, compress(data, 3, BLOCK + 3, Deflater.HUFFMAN_ONLY), "the bytes depend on the threads");
    byte[] zeros = new byte[BLOCK];
    assertTrue(compress(zeros, 2, BLOCK, Deflater.HUFFMAN_ONLY).length > BLOCK / 10,
        "a block of zeros entropy-coded alone takes at least a bit per byte");
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, 32_767, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12_345})
  void gzipReadersGetTheDataBack(int length) throws Exception {
    byte[] data = data(length, length);
    byte[] gz = compress(data, 3, 65_537);

    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      assertArrayEquals(data, in.readAllBytes()); // also checks the CRC-32 and length of the trailer
    }
    // One deflate stream that ends exactly where the 8-byte trailer begins.
    Inflater inflater = new Inflater(true);
    inflater.setInput(gz, 10, gz.length - 10);
    byte[] back = new byte[length + 1];
    int n = inflate(inflater, back);
    assertTrue(inflater.finished());
    assertEquals(8, inflater.getRemaining());
    assertEquals(length, n);
    inflater.end();
  }

  private static int inflate(Inflater inflater, byte[] out) throws DataFormatException {
    int n = 0;
    while (!inflater.finished() && n < out.length) {
      int k = inflater.inflate(out, n, out.length - n);
      if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
        break;
      }
      n += k;
    }
    return n;
  }

  @Test
  void bytesDependOnlyOnTheData() throws Exception {
    byte[] data = data(4 * BLOCK + 777, 5);
    byte[] one = compress(data, 1, 1 << 16);
    assertArrayEquals(one, compress(data, 2, 4093));
    assertArrayEquals(one, compress(data, 4, 3 * BLOCK));
  }

  @Test
  void aboutAsSmallAsOneDeflaterOverTheWholeStream() throws Exception {
    byte[] data = data(6 * BLOCK, 9);
    ByteArrayOutputStream single = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(single) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    }) {
      out.write(data);
    }
    int parallel = compress(data, 2, 1 << 16).length;
    assertTrue(parallel < data.length * 0.9, "the data compress: " + parallel + " of " + data.length);
    assertTrue(Math.abs(parallel - single.size()) < 0.001 * single.size(),
        "parallel " + parallel + " bytes against " + single.size() + " from one Deflater");
  }

  @Test
  void aFailingTargetFailsTheWriteAndStopsTheThreads() throws Exception {
    OutputStream full = new OutputStream() {
      private long written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        written += len;
        if (written > 100_000) {
          throw new IOException("No space left on device");
        }
      }
    };
    byte[] data = data(8 * BLOCK, 3);
    IOException e = assertThrows(IOException.class, () -> {
      try (OutputStream out = new ParallelGzipOutputStream(full, Deflater.BEST_SPEED, Deflater.DEFAULT_STRATEGY, 2)) {
        out.write(data);
      }
    });
    assertTrue(e.getMessage().contains("No space left"), e.getMessage());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gzipThreadsAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertFalse(gzipThreadsAlive(), "compressing threads still running after the failure");
  }

  private static boolean gzipThreadsAlive() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("gzip") && t.isAlive());
  }

  /** nibabel reads a multi-block .nii.gz as it reads the same volume uncompressed. */
  @Test
  void nibabelReadsAMultiBlockFile() throws Exception {
    Random r = new Random(1);
    int nx = 160;
    int ny = 150;
    int nz = 40; // 3.8 MB of float32: four blocks
    float[] values = new float[nx * ny * nz];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 7 == 0 ? -1000 : (float) (r.nextGaussian() * 300);
    }
    double[][] affine = {{1.5, 0, 0, -100}, {0, 1.5, 0, -90}, {0, 0, 2.5, 10}, {0, 0, 0, 1}};
    Volume v = new Volume(nx, ny, nz, values, affine);
    Path gz = dir.resolve("v.nii.gz");
    Path plain = dir.resolve("v.nii");
    NiftiWriter.write4d(gz, List.of(v, v), NiftiWriter.Options.defaults());
    NiftiWriter.write4d(plain, List.of(v, v), NiftiWriter.Options.defaults());
    String script = "import sys, numpy as np, nibabel as nib\n"
        + "a = np.asanyarray(nib.load(sys.argv[1]).dataobj)\n"
        + "b = np.asanyarray(nib.load(sys.argv[2]).dataobj)\n"
        + "print('same' if a.shape == b.shape and np.array_equal(a, b) else 'different', a.shape)\n";
    Process p;
    try {
      p = new ProcessBuilder("/usr/bin/python3", "-c", script, gz.toString(), plain.toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("/usr/bin/python3 is not installed (scripts/setup installs it): " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    Assumptions.assumeFalse(out.contains("No module named 'nibabel'"), "nibabel is not installed: " + out);
    assertEquals("same (160, 150, 40, 2)", out);
    assertTrue(Files.size(gz) < Files.size(plain));
  }
}
