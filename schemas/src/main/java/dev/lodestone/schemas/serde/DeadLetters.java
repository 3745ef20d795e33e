package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds {@link DeadLetter} records: the rejected record's position and raw bytes, a stable reason
 * code, readable text and the rejecting component, ready to send to {@link Topics#DEAD_LETTERS}
 * (key: the source topic).
 */
public final class DeadLetters {
  private DeadLetters() {}

  /** Longest reason text kept; longer texts are cut and marked with "...". */
  public static final int MAX_MESSAGE_CHARS = 4096;

  /**
   * A dead letter for a consumed record. Keys and values may be {@code byte[]} (kept as they are),
   * {@code String} (kept as UTF-8) or null.
   *
   * @param record the rejected record
   * @param reason the reason code
   * @param message why, for a person to read
   * @param component the component that rejected it, e.g. {@code judge}
   * @param time when it was rejected
   * @throws IllegalArgumentException when the key or value is of another type
   */
  public static DeadLetter of(
      ConsumerRecord<?, ?> record,
      DeadLetterReason reason,
      String message,
      String component,
      Instant time) {
    Objects.requireNonNull(record, "record");
    return of(
        record.topic(),
        record.partition(),
        record.offset(),
        bytes("key", record.key()),
        bytes("value", record.value()),
        reason,
        message,
        component,
        time);
  }

  /**
   * A dead letter for a record that could not be decoded: reason {@link
   * DeadLetterReason#UNDECODABLE}, the exception's message as text.
   */
  public static DeadLetter undecodable(
      ConsumerRecord<?, ?> record,
      RecordDecodingException failure,
      String component,
      Instant time) {
    Objects.requireNonNull(failure, "failure");
    return of(record, DeadLetterReason.UNDECODABLE, failure.getMessage(), component, time);
  }

  /**
   * A dead letter from its parts.
   *
   * @param sourceTopic the topic the record came from
   * @param partition its partition, or -1 when unknown
   * @param offset its offset, or -1 when unknown
   * @param key its raw key bytes, or null
   * @param value its raw value bytes, or null
   * @param reason the reason code
   * @param message why, for a person to read
   * @param component the component that rejected it
   * @param time when it was rejected
   */
  public static DeadLetter of(
      String sourceTopic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      DeadLetterReason reason,
      String message,
      String component,
      Instant time) {
    Objects.requireNonNull(sourceTopic, "sourceTopic");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(time, "time");
    if (sourceTopic.isBlank()) {
      throw new IllegalArgumentException("sourceTopic must not be blank");
    }
    if (component.isBlank()) {
      throw new IllegalArgumentException("component must not be blank");
    }
    if (partition < -1) {
      throw new IllegalArgumentException("partition must be >= -1, got " + partition);
    }
    if (offset < -1) {
      throw new IllegalArgumentException("offset must be >= -1, got " + offset);
    }
    return DeadLetter.newBuilder()
        .setSourceTopic(sourceTopic)
        .setPartition(partition)
        .setOffset(offset)
        .setKey(key == null ? null : ByteBuffer.wrap(key.clone()))
        .setValue(value == null ? null : ByteBuffer.wrap(value.clone()))
        .setReason(
            message.length() <= MAX_MESSAGE_CHARS
                ? message
                : message.substring(0, MAX_MESSAGE_CHARS - 3) + "...")
        .setErrorType(reason.name())
        .setComponent(component)
        .setTime(time)
        .build();
  }

  /** The record to send: topic {@link Topics#DEAD_LETTERS}, key the source topic. */
  public static ProducerRecord<String, DeadLetter> toProducerRecord(DeadLetter letter) {
    Objects.requireNonNull(letter, "letter");
    return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), letter.getSourceTopic(), letter);
  }

  private static byte[] bytes(String what, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] raw) {
      return raw;
    }
    if (value instanceof String text) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    throw new IllegalArgumentException(
        "the "
            + what
            + " of a dead letter must be byte[] or String (the raw record), got "
            + value.getClass().getName());
  }
}
