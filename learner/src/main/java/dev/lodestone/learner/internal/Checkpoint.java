package dev.lodestone.learner.internal;

import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.LearnerState;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;

/**
 * A learner checkpoint as read back from {@code learner-state}: the header of its chunks (model,
 * step, versions, algorithm, seed, configuration, input offsets, time) and the {@link LearnerState}
 * they carry, one Avro record in Avro's single-object encoding (its schema's fingerprint first, so
 * that a later schema with new defaulted fields still reads it).
 *
 * @param header the first chunk's header fields
 * @param state the learner's state
 */
public record Checkpoint(LearnerCheckpoint header, LearnerState state) {

  /** The state in Avro's single-object encoding, the blob the chunks carry. */
  public static byte[] encode(LearnerState state) {
    try {
      ByteBuffer b = state.toByteBuffer();
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /**
   * Reads a state blob.
   *
   * @throws IllegalArgumentException when it is not a learner state
   */
  public static LearnerState decode(byte[] blob) {
    try {
      return LearnerState.fromByteBuffer(ByteBuffer.wrap(blob));
    } catch (IOException | AvroRuntimeException e) {
      throw new IllegalArgumentException("the checkpoint is not a learner state: " + e, e);
    }
  }
}
