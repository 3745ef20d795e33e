package dev.lodestone.schemas.chunk;

import java.util.Objects;

/**
 * The verified bytes of one version and its first chunk record (which carries the version's
 * metadata).
 *
 * @param <R> the chunk record type
 */
public final class AssembledBlob<R> {
  private final R header;
  private final byte[] bytes;
  private final String sha256;

  AssembledBlob(R header, byte[] bytes, String sha256) {
    this.header = Objects.requireNonNull(header, "header");
    this.bytes = Objects.requireNonNull(bytes, "bytes");
    this.sha256 = Objects.requireNonNull(sha256, "sha256");
  }

  /** Chunk 0 of the version: its metadata (model, version, step, ...). */
  public R header() {
    return header;
  }

  /** The whole blob. The array belongs to the caller; the assembler keeps no reference. */
  public byte[] bytes() {
    return bytes;
  }

  /** Lower-case hex SHA-256 of the blob, verified. */
  public String sha256() {
    return sha256;
  }
}
