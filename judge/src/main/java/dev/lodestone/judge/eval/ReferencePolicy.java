package dev.lodestone.judge.eval;

import dev.lodestone.schemas.chunk.Sha256;
import java.util.Objects;

/**
 * The policy an evaluator's win rate is measured against: the warm-up policy, either read from the
 * policy topic (the first complete POLICY version there, version 0 unless compaction removed it) or
 * given as weights.
 */
public sealed interface ReferencePolicy {

  /** The first complete POLICY version on the topic. */
  static ReferencePolicy firstVersion() {
    return new FirstVersion();
  }

  /** These weights (as written by {@code PolicyModel.toBytes()}). */
  static ReferencePolicy weights(byte[] blob) {
    return new Weights(blob);
  }

  /** The first complete POLICY version on the topic (the evaluator tags its number). */
  record FirstVersion() implements ReferencePolicy {}

  /** Given weights. */
  final class Weights implements ReferencePolicy {
    private final byte[] blob;
    private final String sha256;

    /** Copies the blob. */
    public Weights(byte[] blob) {
      Objects.requireNonNull(blob, "blob");
      if (blob.length == 0) {
        throw new IllegalArgumentException("reference weights must not be empty");
      }
      this.blob = blob.clone();
      this.sha256 = Sha256.hex(blob);
    }

    /** A copy of the weights. */
    public byte[] blob() {
      return blob.clone();
    }

    /** Their SHA-256. */
    public String sha256() {
      return sha256;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Weights w && w.sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
      return sha256.hashCode();
    }

    @Override
    public String toString() {
      return "Weights[" + blob.length + " bytes, sha256 " + sha256 + "]";
    }
  }
}
