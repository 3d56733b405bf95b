package dev.ctshift.io.nifti;

import dev.ctshift.CtShiftException;

/** A NIfTI file could not be written: the message names the file and the problem. */
public class NiftiWriteException extends CtShiftException {
  public NiftiWriteException(String message) {
    super(message);
  }

  public NiftiWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}
