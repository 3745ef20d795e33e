package dev.lodestone.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * One topic of the catalogue: its name, layout, retention and the Avro type of its values.
 *
 * <p>Keys are strings on every topic. Values are Avro records of {@code valueType}, framed in the
 * Confluent wire format, with their schema registered under {@link #valueSubject()}.
 *
 * @param name the topic name
 * @param partitions the number of partitions the catalogue provisions
 * @param cleanup compaction or time-based deletion
 * @param valueType the generated Avro class of the values
 * @param configs extra topic configuration (Kafka topic-level config names and values)
 * @param <V> the value type
 */
public record TopicSpec<V extends SpecificRecord>(
    String name, int partitions, Cleanup cleanup, Class<V> valueType, Map<String, String> configs) {

  /** Kafka's {@code cleanup.policy}. */
  public enum Cleanup {
    /** Keep the latest value per key ({@code cleanup.policy=compact}). */
    COMPACT("compact"),
    /** Delete by retention time or size ({@code cleanup.policy=delete}). */
    DELETE("delete");

    private final String kafkaName;

    Cleanup(String kafkaName) {
      this.kafkaName = kafkaName;
    }

    /** The value of Kafka's {@code cleanup.policy} topic config. */
    public String kafkaName() {
      return kafkaName;
    }
  }

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cleanup, "cleanup");
    Objects.requireNonNull(valueType, "valueType");
    if (name.isBlank() || !name.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(
          "topic name '" + name + "' is not a legal Kafka topic name");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "partitions of topic " + name + " must be at least 1, got " + partitions);
    }
    configs = Map.copyOf(configs);
  }

  /** The schema-registry subject of the values: {@code <topic>-value} (TopicNameStrategy). */
  public String valueSubject() {
    return name + "-value";
  }

  /** The Avro schema of the values, as compiled into {@link #valueType()}. */
  public Schema valueSchema() {
    return SpecificSchemas.schemaOf(valueType);
  }

  /** All topic-level configs to create the topic with, {@code cleanup.policy} included. */
  public Map<String, String> topicConfigs() {
    var all = new java.util.HashMap<>(configs);
    all.put("cleanup.policy", cleanup.kafkaName());
    return Map.copyOf(all);
  }
}
