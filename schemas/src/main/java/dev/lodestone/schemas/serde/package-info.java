/**
 * Kafka serdes for the catalogue's Avro records in the Confluent wire format (byte 0 = 0x00, a
 * 4-byte big-endian schema id, then Avro binary), with schemas in a schema registry under {@code
 * <topic>-value}; the dead-letter helper; and the one typed decoding failure, {@link
 * dev.lodestone.schemas.serde.RecordDecodingException}.
 *
 * <p>Entry point: {@link dev.lodestone.schemas.serde.TopicSerdes#valueSerde}.
 */
package dev.lodestone.schemas.serde;
