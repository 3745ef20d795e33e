package dev.lodestone.stack;

/** The local stack could not start or stop; the message says why in one line. */
public class LocalStackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with a message for the user. */
  public LocalStackException(String message) {
    super(message);
  }

  /** An error with a message for the user and the failure behind it. */
  public LocalStackException(String message, Throwable cause) {
    super(message, cause);
  }
}
