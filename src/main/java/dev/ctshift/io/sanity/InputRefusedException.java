package dev.ctshift.io.sanity;

import dev.ctshift.io.VolumeReadException;

/**
 * A scan was read but is not fit to explain (not HU, non-finite values, a single slice, nothing in it).
 * A {@link VolumeReadException}, so it ends {@code explain} with exit code 3 and fails one scan of a batch.
 */
public final class InputRefusedException extends VolumeReadException {
  public InputRefusedException(String message) {
    super(message);
  }
}
