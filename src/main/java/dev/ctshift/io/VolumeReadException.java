package dev.ctshift.io;

import dev.ctshift.CtShiftException;

/** A scan could not be read: the message names the file and what is wrong with it. */
public class VolumeReadException extends CtShiftException {
  public VolumeReadException(String message) {
    super(message);
  }

  public VolumeReadException(String message, Throwable cause) {
    super(message, cause);
  }
}
