package dev.lodestone.service.feed;

import java.util.Objects;

/**
 * One complete policy version as the feed delivers it: its header and its weight blob, whose
 * SHA-256 has been verified against the version's chunks.
 */
public final class PolicySnapshot {
  private final PolicyHeader header;
  private final byte[] weights;

  /**
   * @param header the version's metadata
   * @param weights the whole weight blob (kept, not copied: the feed hands over a fresh array)
   */
  public PolicySnapshot(PolicyHeader header, byte[] weights) {
    this.header = Objects.requireNonNull(header, "header");
    this.weights = Objects.requireNonNull(weights, "weights");
    if (weights.length != header.totalBytes()) {
      throw new IllegalArgumentException(
          header.describe()
              + ": the blob has "
              + weights.length
              + " bytes, the header says "
              + header.totalBytes());
    }
  }

  /** The version's metadata. */
  public PolicyHeader header() {
    return header;
  }

  /** The version number (of the header). */
  public long version() {
    return header.version();
  }

  /** A copy of the weight blob (as written by the model's {@code toBytes()}). */
  public byte[] weights() {
    return weights.clone();
  }

  /** Size of the weight blob. */
  public int size() {
    return weights.length;
  }

  @Override
  public String toString() {
    return "PolicySnapshot[" + header.describe() + ", " + weights.length + " bytes]";
  }
}
