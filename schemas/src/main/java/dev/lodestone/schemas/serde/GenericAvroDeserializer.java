package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.internal.WireDecoder;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Deserializes a catalogue topic's values into generic records of a given reader schema (not the
 * compiled one): for tools that inspect records, and for readers of another version of a topic's
 * schema. Same checks and the same {@link RecordDecodingException} as {@link AvroDeserializer}.
 * Thread-safe.
 */
public final class GenericAvroDeserializer implements Deserializer<GenericRecord> {
  private final TopicSpec<?> topic;
  private final WireDecoder<GenericRecord> decoder;

  /**
   * @param topic the catalogue topic (named in errors when no topic is given)
   * @param readerSchema the schema to decode into
   * @param registry where writer schemas are looked up by id
   */
  public GenericAvroDeserializer(
      TopicSpec<?> topic, Schema readerSchema, SchemaRegistryClient registry) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.decoder =
        new WireDecoder<>(
            registry,
            readerSchema,
            (writer, reader) -> new GenericDatumReader<>(writer, reader, GenericData.get()));
  }

  @Override
  public GenericRecord deserialize(String kafkaTopic, byte[] data) {
    return decoder.decode(
        kafkaTopic == null ? topic.name() : kafkaTopic,
        RecordDecodingException.UNKNOWN,
        RecordDecodingException.UNKNOWN,
        data);
  }

  /** Decodes the value of a consumed record; failures name its topic, partition and offset. */
  public GenericRecord decode(ConsumerRecord<?, byte[]> record) {
    return decoder.decode(record.topic(), record.partition(), record.offset(), record.value());
  }
}
