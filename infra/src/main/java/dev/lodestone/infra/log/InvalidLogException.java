package dev.lodestone.infra.log;

/** A file that cannot be imported: not an exported log, or not of the topic's type. */
public final class InvalidLogException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
