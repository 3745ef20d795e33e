package dev.lodestone.judge.streams.internal;

import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.Objects;

/**
 * Why a decoded record is refused: the dead-letter reason code and a message for a person.
 *
 * @param reason the code
 * @param message what is wrong, naming the field and the bad value
 */
public record Rejection(DeadLetterReason reason, String message) {
  public Rejection {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}
