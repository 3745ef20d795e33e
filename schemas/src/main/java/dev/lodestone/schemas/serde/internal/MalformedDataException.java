package dev.lodestone.schemas.serde.internal;

import java.io.IOException;

/** The bytes are not a valid Avro binary encoding (as opposed to merely too short). */
public final class MalformedDataException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An exception with this message. */
  public MalformedDataException(String message) {
    super(message);
  }
}
