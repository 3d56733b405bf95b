package dev.ctshift.train;

import dev.ctshift.CtShiftException;

/** Training could not go on: a checkpoint or model file could not be written or read, or the loss diverged. */
public class TrainingException extends CtShiftException {
  public TrainingException(String message) {
    super(message);
  }

  public TrainingException(String message, Throwable cause) {
    super(message, cause);
  }
}
