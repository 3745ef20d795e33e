package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.internal.WireEncoder;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes one catalogue topic's values in the Confluent wire format, with the compiled class's
 * schema as writer schema, registered (or looked up) under the topic's {@code <topic>-value}
 * subject on first use. Thread-safe.
 *
 * <p>A null value serializes to null (a tombstone). Registry failures surface as {@link
 * dev.lodestone.schemas.registry.SchemaRegistryException} (retriable or not, see its {@code
 * isRetriable()}); a value Avro cannot encode (a null in a non-null field) as a {@link
 * SerializationException} naming the topic.
 *
 * @param <V> the generated Avro class of the topic's values
 */
public final class AvroSerializer<V extends SpecificRecord> implements Serializer<V> {
  private final TopicSpec<V> topic;
  private final WireEncoder<V> encoder;

  /**
   * A serializer of this topic's values.
   *
   * @param topic the catalogue entry (its value class gives the writer schema)
   * @param registry where the schema is registered
   * @param registration whether to register the schema or only look it up
   */
  public AvroSerializer(
      TopicSpec<V> topic, SchemaRegistryClient registry, SchemaRegistration registration) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.encoder =
        new WireEncoder<>(
            topic.valueSubject(),
            topic.valueSchema(),
            new SpecificDatumWriter<>(
                topic.valueSchema(), SpecificData.getForClass(topic.valueType())),
            registry,
            registration);
  }

  /** Values are always Avro records; this serde cannot serialize keys. */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (isKey) {
      throw new IllegalArgumentException(
          "the value serializer of topic " + topic.name() + " was configured as a key serializer");
    }
  }

  /**
   * The id the serializer frames records with: registered or looked up under the topic's subject on
   * first call, then remembered.
   */
  public int schemaId() {
    return encoder.schemaId();
  }

  /**
   * Encodes a value. The Kafka topic argument is used in messages only: the subject is always the
   * catalogue topic's, so the serializer also serves Kafka Streams' internal topics.
   */
  @Override
  public byte[] serialize(String kafkaTopic, V data) {
    if (data == null) {
      return null;
    }
    return encoder.encode(
        data,
        "a "
            + topic.valueType().getSimpleName()
            + " for topic "
            + (kafkaTopic == null ? topic.name() : kafkaTopic));
  }

  /** Encodes a value for the catalogue topic. */
  public byte[] encode(V data) {
    return serialize(topic.name(), data);
  }

  /** The catalogue topic this serializer belongs to. */
  public TopicSpec<V> topic() {
    return topic;
  }
}
