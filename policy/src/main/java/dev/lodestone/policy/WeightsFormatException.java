package dev.lodestone.policy;

/**
 * A weights blob that cannot be loaded: truncated, not a Lodestone weights blob, a format version
 * this build cannot read, a hash mismatch, an unreadable configuration, or an architecture other
 * than the one expected. The message says which and what was found.
 */
public final class WeightsFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** Why a blob was refused. */
  public enum Reason {
    /** Shorter than its header or its declared payload. */
    TRUNCATED,
    /** Does not start with the weights magic bytes. */
    BAD_MAGIC,
    /** Written in a format version this build does not read. */
    UNSUPPORTED_VERSION,
    /** The architecture configuration in the header cannot be parsed or is invalid. */
    BAD_CONFIG,
    /** The payload's SHA-256 differs from the one in the header (corruption). */
    HASH_MISMATCH,
    /** The payload does not match the architecture the header declares. */
    BAD_PAYLOAD,
    /** A valid blob of another architecture than the one required. */
    ARCHITECTURE_MISMATCH
  }

  private final Reason reason;

  /** A refusal for {@code reason}, with a message that says what was found. */
  public WeightsFormatException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why the blob was refused. */
  public Reason reason() {
    return reason;
  }
}
