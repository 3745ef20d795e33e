package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.internal.WireEncoder;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes generic records of a catalogue topic with a given writer schema (not the compiled
 * one), registered under the topic's {@code <topic>-value} subject: for tools, migrations and tests
 * that write another version of a topic's schema. Thread-safe.
 */
public final class GenericAvroSerializer implements Serializer<GenericRecord> {
  private final TopicSpec<?> topic;
  private final WireEncoder<GenericRecord> encoder;

  /**
   * @param topic the catalogue topic (gives the subject)
   * @param writerSchema the schema to write with
   * @param registry the registry
   * @param registration whether to register the schema or only look it up
   */
  public GenericAvroSerializer(
      TopicSpec<?> topic,
      Schema writerSchema,
      SchemaRegistryClient registry,
      SchemaRegistration registration) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.encoder =
        new WireEncoder<>(
            topic.valueSubject(),
            writerSchema,
            new GenericDatumWriter<>(writerSchema, GenericData.get()),
            registry,
            registration);
  }

  /** The schema id, registered or looked up on first call. */
  public int schemaId() {
    return encoder.schemaId();
  }

  @Override
  public byte[] serialize(String kafkaTopic, GenericRecord data) {
    if (data == null) {
      return null;
    }
    return encoder.encode(
        data,
        "a "
            + encoder.schema().getFullName()
            + " for topic "
            + (kafkaTopic == null ? topic.name() : kafkaTopic));
  }
}
