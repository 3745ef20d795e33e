package dev.lodestone.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private static final Instant NOW = Instant.ofEpochMilli(1_790_000_000_000L);

  private static <K> ConsumerRecord<K, byte[]> record(String topic, K key, byte[] value) {
    return new ConsumerRecord<>(
        topic,
        2,
        99L,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        key,
        value,
        new RecordHeaders(),
        Optional.empty());
  }

  @Test
  void shouldBuildAnUndecodableLetterFromTheDecodingFailure() {
    ConsumerRecord<String, byte[]> bad = record("labels", "group-7", new byte[] {9, 9, 9});
    RecordDecodingException failure =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            RecordDecodingException.class,
            () ->
                TopicSerdes.valueDeserializer(Topics.LABELS, new InMemorySchemaRegistry())
                    .decode(bad));

    DeadLetter letter = DeadLetters.undecodable(bad, failure, "judge", NOW);

    assertThat(letter.getSourceTopic()).isEqualTo("labels");
    assertThat(letter.getPartition()).isEqualTo(2);
    assertThat(letter.getOffset()).isEqualTo(99L);
    assertThat(letter.getKey())
        .isEqualTo(ByteBuffer.wrap("group-7".getBytes(StandardCharsets.UTF_8)));
    assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(new byte[] {9, 9, 9}));
    assertThat(letter.getErrorType()).isEqualTo("UNDECODABLE");
    assertThat(letter.getReason()).contains("TOO_SHORT", "partition 2 offset 99");
    assertThat(letter.getComponent()).isEqualTo("judge");
    assertThat(letter.getTime()).isEqualTo(NOW);
  }

  @Test
  void shouldKeepRawKeysAndNullsAsTheyAre() {
    ConsumerRecord<byte[], byte[]> raw = record("samples", new byte[] {1, 2}, null);

    DeadLetter letter =
        DeadLetters.of(raw, DeadLetterReason.OVERSIZE, "text of 9 MB", "sampler", NOW);

    assertThat(letter.getKey()).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
    assertThat(letter.getValue()).isNull();
    assertThat(letter.getErrorType()).isEqualTo("OVERSIZE");
  }

  @Test
  void shouldSendToTheDeadLetterTopicKeyedBySourceTopic() {
    DeadLetter letter =
        DeadLetters.of(
            "labels",
            -1,
            -1,
            null,
            new byte[] {1},
            DeadLetterReason.INVALID_PROBABILITY,
            "probability NaN",
            "label-join",
            NOW);

    ProducerRecord<String, DeadLetter> out = DeadLetters.toProducerRecord(letter);

    assertThat(out.topic()).isEqualTo("dead-letters");
    assertThat(out.key()).isEqualTo("labels");
    assertThat(out.value()).isSameAs(letter);
  }

  @Test
  void shouldCutVeryLongReasonsAndValidateItsInputs() {
    String longText = "x".repeat(10_000);
    DeadLetter letter =
        DeadLetters.of(
            "labels", 0, 0, null, null, DeadLetterReason.INVALID_RECORD, longText, "judge", NOW);
    assertThat(letter.getReason()).hasSize(DeadLetters.MAX_MESSAGE_CHARS).endsWith("...");

    assertThatThrownBy(
            () ->
                DeadLetters.of(
                    "labels", -2, 0, null, null, DeadLetterReason.UNKNOWN_GROUP, "m", "j", NOW))
        .hasMessageContaining("partition must be >= -1, got -2");
    assertThatThrownBy(
            () ->
                DeadLetters.of(
                    "labels", 0, 0, null, null, DeadLetterReason.UNKNOWN_GROUP, "m", " ", NOW))
        .hasMessageContaining("component");
    ConsumerRecord<Integer, byte[]> typed = record("labels", 5, null);
    assertThatThrownBy(
            () -> DeadLetters.of(typed, DeadLetterReason.INVALID_RECORD, "m", "judge", NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.lang.Integer");
  }
}
