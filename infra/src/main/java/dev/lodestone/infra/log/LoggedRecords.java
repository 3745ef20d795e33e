package dev.lodestone.infra.log;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * The record of an exported log: one topic record with its position, in an Avro object container
 * file whose schema embeds the topic's value schema, so that any Avro reader (avro-tools, Spark,
 * DuckDB) reads it without the registry.
 *
 * <pre>
 * LoggedRecord {
 *   topic: string, partition: int, offset: long,
 *   timestampMs: long,            // the record's Kafka timestamp, milliseconds since the epoch
 *   key: null | string,
 *   value: &lt;the topic's value schema&gt;
 * }
 * </pre>
 */
public final class LoggedRecords {
  private LoggedRecords() {}

  /** The envelope's full name. */
  public static final String NAME = "dev.lodestone.log.LoggedRecord";

  /** The container file's metadata key naming the topic the records were exported from. */
  public static final String TOPIC_META = "lodestone.topic";

  /** The envelope schema around a topic's value schema. */
  public static Schema schema(Schema value) {
    return SchemaBuilder.record("LoggedRecord")
        .namespace("dev.lodestone.log")
        .doc("One record of a Lodestone topic as exported by lodestone export.")
        .fields()
        .requiredString("topic")
        .requiredInt("partition")
        .requiredLong("offset")
        .requiredLong("timestampMs")
        .optionalString("key")
        .name("value")
        .type(value)
        .noDefault()
        .endRecord();
  }
}
