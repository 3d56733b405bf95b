package dev.ctshift.model;

import dev.ctshift.CtShiftException;

/** A model directory, manifest or weight file could not be loaded. */
public class ModelLoadException extends CtShiftException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
