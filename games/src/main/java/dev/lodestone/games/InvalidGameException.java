package dev.lodestone.games;

/**
 * A game specification, game file or game definition that cannot be used. The message is one line
 * that names what is wrong (the field, the cell or the value), fit to be shown to a user as is.
 */
public final class InvalidGameException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a one-line message. */
  public InvalidGameException(String message) {
    super(message);
  }

  /** Creates the exception with a one-line message and the failure that caused it. */
  public InvalidGameException(String message, Throwable cause) {
    super(message, cause);
  }
}
