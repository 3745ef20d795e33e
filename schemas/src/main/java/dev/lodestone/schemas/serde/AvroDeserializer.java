package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.internal.WireDecoder;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Deserializes one catalogue topic's values from the Confluent wire format into the compiled class.
 * The writer schema comes from the registry by the id in the header (cached per id) and is resolved
 * to the compiled class's schema, so that data written with an older or a newer compatible schema
 * decodes.
 *
 * <p>Every bad input (null, too short, wrong magic byte, unknown schema id, a writer schema that
 * cannot be resolved, a truncated or corrupt payload, bytes left over) raises a {@link
 * RecordDecodingException}; {@link #decode(ConsumerRecord)} adds the partition and offset. A
 * registry that cannot be reached raises {@link
 * dev.lodestone.schemas.registry.SchemaRegistryException} instead (retry; the record is not at
 * fault). Decoding checks every length against the bytes present, so a corrupt length prefix cannot
 * make it allocate more than the record's size. Thread-safe.
 *
 * @param <V> the generated Avro class of the topic's values
 */
public final class AvroDeserializer<V extends SpecificRecord> implements Deserializer<V> {
  private final TopicSpec<V> topic;
  private final WireDecoder<V> decoder;

  /**
   * A deserializer of this topic's values.
   *
   * @param topic the catalogue entry (its value class gives the reader schema)
   * @param registry where writer schemas are looked up by id
   */
  public AvroDeserializer(TopicSpec<V> topic, SchemaRegistryClient registry) {
    this.topic = Objects.requireNonNull(topic, "topic");
    SpecificData model = SpecificData.getForClass(topic.valueType());
    this.decoder =
        new WireDecoder<>(
            registry,
            topic.valueSchema(),
            (writer, reader) -> new SpecificDatumReader<>(writer, reader, model));
  }

  /** Values are always Avro records; this serde cannot deserialize keys. */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (isKey) {
      throw new IllegalArgumentException(
          "the value deserializer of topic "
              + topic.name()
              + " was configured as a key deserializer");
    }
  }

  /**
   * Decodes a value without its position (partition and offset are reported as unknown).
   *
   * @throws RecordDecodingException for bad bytes
   */
  @Override
  public V deserialize(String kafkaTopic, byte[] data) {
    return decode(
        kafkaTopic == null ? topic.name() : kafkaTopic,
        RecordDecodingException.UNKNOWN,
        RecordDecodingException.UNKNOWN,
        data);
  }

  /**
   * Decodes the value of a consumed record; failures name its topic, partition and offset.
   *
   * @throws RecordDecodingException for bad bytes
   */
  public V decode(ConsumerRecord<?, byte[]> record) {
    return decode(record.topic(), record.partition(), record.offset(), record.value());
  }

  /**
   * Decodes bytes read from a known position.
   *
   * @param kafkaTopic the topic the bytes came from
   * @param partition the partition, or {@link RecordDecodingException#UNKNOWN}
   * @param offset the offset, or {@link RecordDecodingException#UNKNOWN}
   * @param data the framed bytes
   * @throws RecordDecodingException for bad bytes
   */
  public V decode(String kafkaTopic, int partition, long offset, byte[] data) {
    return decoder.decode(kafkaTopic, partition, offset, data);
  }

  /** The catalogue topic this deserializer belongs to. */
  public TopicSpec<V> topic() {
    return topic;
  }
}
