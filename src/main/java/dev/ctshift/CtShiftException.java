package dev.ctshift;

/**
 * Base of the expected failures: bad input files, unloadable models, explanations that cannot run.
 * The message is meant for the user and names the file or stage and the problem.
 */
public class CtShiftException extends Exception {
  public CtShiftException(String message) {
    super(message);
  }

  public CtShiftException(String message, Throwable cause) {
    super(message, cause);
  }
}
