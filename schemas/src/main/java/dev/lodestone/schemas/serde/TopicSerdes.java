package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes for the topics of the catalogue ({@link dev.lodestone.schemas.Topics}): string keys on
 * every topic, Avro values in the Confluent wire format.
 *
 * <pre>{@code
 * AvroSerde<SampleGroup> samples = TopicSerdes.valueSerde(Topics.SAMPLES, registry);
 * producer = new KafkaProducer<>(props, TopicSerdes.keySerde().serializer(), samples.serializer());
 * SampleGroup group = samples.deserializer().decode(consumerRecord); // names partition/offset
 * }</pre>
 */
public final class TopicSerdes {
  private TopicSerdes() {}

  /** The key serde of every catalogue topic: UTF-8 strings. */
  public static Serde<String> keySerde() {
    return Serdes.String();
  }

  /**
   * The value serde of a topic; the serializer registers the compiled schema under {@code
   * <topic>-value} on first use.
   */
  public static <V extends SpecificRecord> AvroSerde<V> valueSerde(
      TopicSpec<V> topic, SchemaRegistryClient registry) {
    return valueSerde(topic, registry, SchemaRegistration.AUTO_REGISTER);
  }

  /** The value serde of a topic, with the serializer's way of obtaining its schema id. */
  public static <V extends SpecificRecord> AvroSerde<V> valueSerde(
      TopicSpec<V> topic, SchemaRegistryClient registry, SchemaRegistration registration) {
    return new AvroSerde<>(
        valueSerializer(topic, registry, registration), valueDeserializer(topic, registry));
  }

  /** The value serializer of a topic. */
  public static <V extends SpecificRecord> AvroSerializer<V> valueSerializer(
      TopicSpec<V> topic, SchemaRegistryClient registry, SchemaRegistration registration) {
    return new AvroSerializer<>(topic, registry, registration);
  }

  /** The value deserializer of a topic. */
  public static <V extends SpecificRecord> AvroDeserializer<V> valueDeserializer(
      TopicSpec<V> topic, SchemaRegistryClient registry) {
    return new AvroDeserializer<>(topic, registry);
  }
}
