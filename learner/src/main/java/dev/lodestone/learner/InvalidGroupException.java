package dev.lodestone.learner;

import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.Objects;

/** A labelled group the learner cannot train on; it goes to the dead letters with its reason. */
public final class InvalidGroupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final DeadLetterReason reason;

  /** A rejection with its stable reason code and a message for a person. */
  public InvalidGroupException(DeadLetterReason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The dead-letter reason code. */
  public DeadLetterReason reason() {
    return reason;
  }
}
