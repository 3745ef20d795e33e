package dev.lodestone.schemas.chunk;

import java.util.Objects;

/** A chunk was rejected, or the chunks of a version do not make up a valid blob. */
public class ChunkAssemblyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Reason {
    /** The chunk's own fields are invalid (index out of range, bad hash, no data). */
    INVALID_CHUNK,
    /** The chunk belongs to another version than the chunks collected so far. */
    MIXED_VERSION,
    /** The chunk is of the same version but disagrees on count, size, hash or metadata. */
    INCONSISTENT_CHUNK,
    /** A chunk index arrived twice with different bytes. */
    CONFLICTING_DUPLICATE,
    /** The chunks add up to another size than the version's total. */
    SIZE_MISMATCH,
    /** The assembled bytes do not have the version's SHA-256. */
    SHA256_MISMATCH,
    /** Assembly was asked for before every chunk arrived. */
    INCOMPLETE,
    /** The version's bytes are stored elsewhere (a URI), not in the chunks. */
    NOT_INLINE
  }

  private final Reason reason;

  /** An exception with a reason and a message naming the version and the problem. */
  public ChunkAssemblyException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** What is wrong. */
  public Reason reason() {
    return reason;
  }
}
