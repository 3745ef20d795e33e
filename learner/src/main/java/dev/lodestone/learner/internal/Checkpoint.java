package dev.lodestone.learner.internal;

import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.LearnerState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.SchemaStore;

/**
 * A learner checkpoint as read back from {@code learner-state}: the header of its chunks (model,
 * step, versions, algorithm, seed, configuration, input offsets, time) and the {@link LearnerState}
 * they carry, one Avro record in Avro's single-object encoding (its schema's fingerprint first).
 * Every earlier {@code LearnerState} schema is kept as a resource beside this class ({@code
 * LearnerState-vN.avsc}) and known to the decoder, so that a checkpoint written before a new
 * defaulted field was added is still read, the field taking its default.
 *
 * @param header the first chunk's header fields
 * @param state the learner's state
 */
public record Checkpoint(LearnerCheckpoint header, LearnerState state) {

  /** The earlier schemas of {@code LearnerState}, oldest first (resources beside this class). */
  static final List<String> EARLIER_SCHEMAS =
      List.of(
          "LearnerState-v1.avsc",
          "LearnerState-v2.avsc",
          "LearnerState-v3.avsc",
          "LearnerState-v4.avsc");

  private static final BinaryMessageDecoder<LearnerState> DECODER = decoder();

  private static BinaryMessageDecoder<LearnerState> decoder() {
    SchemaStore.Cache store = new SchemaStore.Cache();
    for (String name : EARLIER_SCHEMAS) {
      try (InputStream in = Checkpoint.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("the resource " + name + " is missing");
        }
        store.addSchema(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the resource " + name, e);
      }
    }
    return LearnerState.createDecoder(store);
  }

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
      return DECODER.decode(ByteBuffer.wrap(blob));
    } catch (IOException | AvroRuntimeException e) {
      throw new IllegalArgumentException("the checkpoint is not a learner state: " + e, e);
    }
  }
}
