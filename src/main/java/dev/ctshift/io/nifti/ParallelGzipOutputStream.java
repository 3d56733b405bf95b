package dev.ctshift.io.nifti;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream (one member, RFC 1952) whose deflate work runs on several threads: the data are cut
 * into blocks of {@link #BLOCK_BYTES} that are compressed at the same time, each primed with the last
 * 32 KiB of the block before it as its dictionary, and each but the last ended with a sync flush (a
 * byte boundary, no end of stream), so that the blocks in order form one ordinary deflate stream, as
 * pigz writes it. Any gzip reader reads the file. The bytes depend only on the data, the level and the
 * deflate strategy, not on the number of threads or on how the writes are cut; against one
 * {@code Deflater} over the whole stream the file is a few bytes per block larger (the sync flushes and
 * each block's own Huffman tables).
 *
 * <p>One thread writes; the pool only compresses. At most two blocks per thread are in flight, in
 * buffers that are reused, so memory stays at a few MiB whatever the length of the data.
 */
final class ParallelGzipOutputStream extends OutputStream {
  /** Uncompressed bytes per task: large against the 32 KiB window, small against a volume. */
  static final int BLOCK_BYTES = 1 << 20;
  private static final int DICTIONARY_BYTES = 1 << 15;
  /** The header java.util.zip.GZIPOutputStream writes: deflate, no flags, no time, no extra flags, OS unknown. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  /** One block's input and compressed output, with the Deflater that makes it; reused. */
  private static final class Chunk {
    final byte[] input = new byte[BLOCK_BYTES];
    byte[] output = new byte[BLOCK_BYTES + (BLOCK_BYTES >> 8) + 64];
    int outputBytes;
    final Deflater deflater;

    Chunk(int level, int strategy) {
      deflater = new Deflater(level, true);
      deflater.setStrategy(strategy);
    }
  }

  private final OutputStream out;
  private final ExecutorService pool;
  private final int maxInFlight;
  private final ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
  private final ArrayDeque<Chunk> free = new ArrayDeque<>();
  private final int level;
  private final int strategy;
  private final CRC32 crc = new CRC32();
  private long length;
  private Chunk current;
  private int filled;
  private byte[] dictionary;
  private boolean closed;

  /**
   * @param out receives the compressed stream; closed by {@link #close()}, also when this constructor fails
   * @param level deflate level, 0..9
   * @param strategy {@link Deflater#DEFAULT_STRATEGY}, {@link Deflater#FILTERED} or {@link Deflater#HUFFMAN_ONLY}
   * @param threads compressing threads, at least 1
   */
  ParallelGzipOutputStream(OutputStream out, int level, int strategy, int threads) throws IOException {
    if (threads < 1 || level < 0 || level > 9) {
      throw new IllegalArgumentException("threads must be at least 1 and level 0..9, got " + threads + ", " + level);
    }
    this.out = out;
    this.level = level;
    this.strategy = strategy;
    this.maxInFlight = 2 * threads;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "gzip");
      t.setDaemon(true);
      return t;
    });
    try {
      out.write(HEADER);
    } catch (IOException e) {
      pool.shutdownNow();
      try {
        out.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    while (len > 0) {
      if (current == null) {
        current = free.isEmpty() ? new Chunk(level, strategy) : free.poll();
      }
      int n = Math.min(len, BLOCK_BYTES - filled);
      System.arraycopy(b, off, current.input, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == BLOCK_BYTES) {
        submit(false);
      }
    }
  }

  /** Hands the current block to the pool, first writing finished blocks while too many are in flight. */
  private void submit(boolean last) throws IOException {
    Chunk chunk = current == null ? new Chunk(level, strategy) : current;
    int n = filled;
    byte[] dict = dictionary;
    crc.update(chunk.input, 0, n);
    length += n;
    dictionary = n >= DICTIONARY_BYTES ? Arrays.copyOfRange(chunk.input, n - DICTIONARY_BYTES, n) : null;
    while (inFlight.size() >= maxInFlight) {
      writeNext();
    }
    inFlight.add(pool.submit(() -> compress(chunk, n, dict, last)));
    current = null;
    filled = 0;
  }

  private static Chunk compress(Chunk chunk, int n, byte[] dict, boolean last) {
    Deflater d = chunk.deflater;
    d.reset();
    if (dict != null) {
      d.setDictionary(dict);
    }
    d.setInput(chunk.input, 0, n);
    int size = 0;
    if (last) {
      d.finish();
    }
    // Deflater#deflate's contract: a flush is complete once it leaves room in the buffer, and all input
    // has been taken (the first call after a change of strategy applies it and may take none).
    while (true) {
      size += d.deflate(chunk.output, size, chunk.output.length - size, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
      if (last ? d.finished() : d.needsInput() && size < chunk.output.length) {
        break;
      }
      if (size == chunk.output.length) {
        chunk.output = Arrays.copyOf(chunk.output, 2 * chunk.output.length);
      }
    }
    chunk.outputBytes = size;
    return chunk;
  }

  private void writeNext() throws IOException {
    Chunk chunk;
    try {
      chunk = inFlight.poll().get();
    } catch (ExecutionException e) {
      throw new IOException("compression failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while compressing", e);
    }
    out.write(chunk.output, 0, chunk.outputBytes);
    free.add(chunk);
  }

  /** Compresses what is left, writes the trailer (CRC-32 and length) and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (out) {
      submit(true);
      while (!inFlight.isEmpty()) {
        writeNext();
      }
      int crcValue = (int) crc.getValue();
      int size = (int) length; // ISIZE is the length modulo 2^32
      out.write(new byte[] {(byte) crcValue, (byte) (crcValue >> 8), (byte) (crcValue >> 16), (byte) (crcValue >> 24),
          (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)});
    } finally {
      inFlight.forEach(f -> f.cancel(true));
      pool.shutdownNow();
      // A chunk still being compressed after a failure keeps its Deflater until the collector ends it.
      free.forEach(c -> c.deflater.end());
      if (current != null) {
        current.deflater.end();
      }
    }
  }
}
