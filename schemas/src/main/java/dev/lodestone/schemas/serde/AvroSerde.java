package dev.lodestone.schemas.serde;

import dev.lodestone.schemas.TopicSpec;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serializer and deserializer of one catalogue topic's values (Confluent wire format, schema
 * registry subject {@code <topic>-value}). Obtain one from {@link TopicSerdes#valueSerde}.
 *
 * @param <V> the generated Avro class of the topic's values
 */
public final class AvroSerde<V extends SpecificRecord> implements Serde<V> {
  private final AvroSerializer<V> serializer;
  private final AvroDeserializer<V> deserializer;

  /** A serde made of these two halves, which must belong to the same topic. */
  public AvroSerde(AvroSerializer<V> serializer, AvroDeserializer<V> deserializer) {
    this.serializer = Objects.requireNonNull(serializer, "serializer");
    this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
    if (!serializer.topic().equals(deserializer.topic())) {
      throw new IllegalArgumentException(
          "serializer of topic "
              + serializer.topic().name()
              + " and deserializer of topic "
              + deserializer.topic().name()
              + " do not belong together");
    }
  }

  @Override
  public AvroSerializer<V> serializer() {
    return serializer;
  }

  @Override
  public AvroDeserializer<V> deserializer() {
    return deserializer;
  }

  /** The catalogue topic. */
  public TopicSpec<V> topic() {
    return serializer.topic();
  }
}
