package dev.lodestone.judge.human;

/**
 * A request the feedback service refuses, with the HTTP status it answers and a message for the
 * caller. Nothing has changed when it is thrown.
 */
public final class FeedbackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public FeedbackException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status: 4xx for the caller's mistakes, 503 when Kafka did not take the answer. */
  public int status() {
    return status;
  }
}
