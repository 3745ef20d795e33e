package dev.lodestone.schemas.serde;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record's bytes could not be decoded: the one exception every decoding failure raises, naming
 * the topic, the partition and offset when known, a stable {@link Reason} code and readable text.
 *
 * <p>It means the record itself is bad (route it to the dead letters, see {@link
 * DeadLetters#undecodable}). A registry that cannot be reached is not the record's fault and raises
 * a retriable {@link dev.lodestone.schemas.registry.SchemaRegistryException} instead.
 */
public class RecordDecodingException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** Partition or offset not known (decoding outside a consumer record). */
  public static final int UNKNOWN = -1;

  /** Why the bytes could not be decoded. */
  public enum Reason {
    /** The value is null (no bytes at all). */
    NULL_PAYLOAD,
    /** Fewer than the 5 header bytes. */
    TOO_SHORT,
    /** The first byte is not the wire format's 0x00. */
    BAD_MAGIC_BYTE,
    /** The schema id is not known to the registry. */
    UNKNOWN_SCHEMA_ID,
    /** The writer schema cannot be resolved to the reader's (the compiled class's) schema. */
    INCOMPATIBLE_WRITER_SCHEMA,
    /** The Avro payload ends before the record does. */
    TRUNCATED_PAYLOAD,
    /** The Avro payload is not a valid encoding of the writer schema. */
    CORRUPT_PAYLOAD
  }

  private final String topic;
  private final int partition;
  private final long offset;
  private final Reason reason;
  private final int schemaId;

  /**
   * @param topic the topic the bytes came from
   * @param partition the partition, or {@link #UNKNOWN}
   * @param offset the offset, or {@link #UNKNOWN}
   * @param reason the reason code
   * @param schemaId the schema id from the header, or {@link #UNKNOWN}
   * @param detail what exactly is wrong, for a person to read
   * @param cause the underlying failure, or null
   */
  public RecordDecodingException(
      String topic,
      int partition,
      long offset,
      Reason reason,
      int schemaId,
      String detail,
      Throwable cause) {
    super(message(topic, partition, offset, reason, detail), cause);
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.reason = Objects.requireNonNull(reason, "reason");
    this.schemaId = schemaId;
  }

  private static String message(
      String topic, int partition, long offset, Reason reason, String detail) {
    String where =
        partition == UNKNOWN && offset == UNKNOWN
            ? "topic " + topic + " (partition and offset unknown)"
            : "topic " + topic + " partition " + partition + " offset " + offset;
    return "cannot decode a record of " + where + ": " + reason + ": " + detail;
  }

  /** The topic the bytes came from. */
  public String topic() {
    return topic;
  }

  /** The partition, or {@link #UNKNOWN}. */
  public int partition() {
    return partition;
  }

  /** The offset, or {@link #UNKNOWN}. */
  public long offset() {
    return offset;
  }

  /** The reason code. */
  public Reason reason() {
    return reason;
  }

  /** The schema id from the header, or {@link #UNKNOWN} when the header could not be read. */
  public int schemaId() {
    return schemaId;
  }
}
