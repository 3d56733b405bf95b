package dev.ctshift.pipeline;

/** The one line a user gets when Java runs out of memory, with what to change. */
public final class OutOfMemory {
  private OutOfMemory() {}

  /** "out of memory (...)" and the remedies: smaller chunks, more heap, fewer frames. */
  public static String advice(OutOfMemoryError e) {
    return "out of memory (" + e.getMessage() + "): try a smaller --chunk-slices or --encode-batch, fewer --frames"
        + " (or --no-frames-4d), or give Java more memory (CTSHIFT_JAVA_OPTS=-Xmx...)";
  }
}
