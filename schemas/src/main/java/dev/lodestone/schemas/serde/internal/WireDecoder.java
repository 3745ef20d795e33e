package dev.lodestone.schemas.serde.internal;

import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.RecordDecodingException.Reason;
import dev.lodestone.schemas.serde.WireFormat;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.DatumReader;

/**
 * Decodes Confluent wire-format bytes with a reader schema: reads the header, fetches and caches
 * the writer schema by id, checks that it resolves to the reader schema, and decodes the payload
 * with a {@link BoundedBinaryDecoder}. Every failure of the bytes is a {@link
 * RecordDecodingException}; registry failures other than an unknown id propagate. Thread-safe.
 *
 * @param <T> what the datum reader produces
 */
public final class WireDecoder<T> {

  /** How a writer schema id resolves: a reader, or why there is none. */
  private record Resolution<T>(
      DatumReader<T> reader, boolean itemsMayBeEmpty, String incompatibility) {}

  private final SchemaRegistryClient registry;
  private final Schema readerSchema;
  private final BiFunction<Schema, Schema, DatumReader<T>> readers;
  private final Map<Integer, Resolution<T>> resolutions = new ConcurrentHashMap<>();

  /**
   * @param registry where writer schemas are looked up by id
   * @param readerSchema the schema to decode into
   * @param readers makes a datum reader from (writer schema, reader schema)
   */
  public WireDecoder(
      SchemaRegistryClient registry,
      Schema readerSchema,
      BiFunction<Schema, Schema, DatumReader<T>> readers) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.readerSchema = Objects.requireNonNull(readerSchema, "readerSchema");
    this.readers = Objects.requireNonNull(readers, "readers");
  }

  /** The schema values are decoded into. */
  public Schema readerSchema() {
    return readerSchema;
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
  public T decode(String kafkaTopic, int partition, long offset, byte[] data) {
    if (data == null) {
      throw failure(
          kafkaTopic, partition, offset, Reason.NULL_PAYLOAD, -1, "the value is null", null);
    }
    if (data.length < WireFormat.HEADER_SIZE) {
      throw failure(
          kafkaTopic,
          partition,
          offset,
          Reason.TOO_SHORT,
          -1,
          data.length + " bytes, fewer than the " + WireFormat.HEADER_SIZE + " header bytes",
          null);
    }
    if (data[0] != WireFormat.MAGIC_BYTE) {
      throw failure(
          kafkaTopic,
          partition,
          offset,
          Reason.BAD_MAGIC_BYTE,
          -1,
          String.format("the first byte is 0x%02x, not the wire format's 0x00", data[0] & 0xff),
          null);
    }
    int id = ByteBuffer.wrap(data, 1, 4).getInt();
    Resolution<T> resolution = resolve(kafkaTopic, partition, offset, id);
    if (resolution.reader() == null) {
      throw failure(
          kafkaTopic,
          partition,
          offset,
          Reason.INCOMPATIBLE_WRITER_SCHEMA,
          id,
          "writer schema "
              + id
              + " cannot be read as "
              + readerSchema.getFullName()
              + ": "
              + resolution.incompatibility(),
          null);
    }
    BoundedBinaryDecoder decoder =
        new BoundedBinaryDecoder(
            data,
            WireFormat.HEADER_SIZE,
            data.length - WireFormat.HEADER_SIZE,
            resolution.itemsMayBeEmpty());
    T value;
    try {
      value = resolution.reader().read(null, decoder);
    } catch (EOFException e) {
      throw failure(
          kafkaTopic,
          partition,
          offset,
          Reason.TRUNCATED_PAYLOAD,
          id,
          "the payload of "
              + (data.length - WireFormat.HEADER_SIZE)
              + " bytes ends early: "
              + e.getMessage(),
          e);
    } catch (MalformedDataException e) {
      throw failure(kafkaTopic, partition, offset, Reason.CORRUPT_PAYLOAD, id, e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      // Avro reports invalid union indexes, enum ordinals and the like as runtime exceptions.
      throw failure(
          kafkaTopic, partition, offset, Reason.CORRUPT_PAYLOAD, id, "invalid payload: " + e, e);
    }
    if (decoder.remaining() != 0) {
      throw failure(
          kafkaTopic,
          partition,
          offset,
          Reason.CORRUPT_PAYLOAD,
          id,
          decoder.remaining() + " bytes left over after the record",
          null);
    }
    return value;
  }

  private Resolution<T> resolve(String kafkaTopic, int partition, long offset, int id) {
    Resolution<T> cached = resolutions.get(id);
    if (cached != null) {
      return cached;
    }
    Schema writerSchema;
    try {
      writerSchema = registry.schemaById(id);
    } catch (SchemaRegistryException e) {
      if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
        throw failure(
            kafkaTopic,
            partition,
            offset,
            Reason.UNKNOWN_SCHEMA_ID,
            id,
            "schema id " + id + " is not known to the registry",
            e);
      }
      throw e;
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
    Resolution<T> resolution;
    if (compatibility.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      resolution =
          new Resolution<>(
              readers.apply(writerSchema, readerSchema),
              BoundedBinaryDecoder.itemsMayBeEmpty(writerSchema),
              null);
    } else {
      StringBuilder why = new StringBuilder();
      for (SchemaCompatibility.Incompatibility incompatibility :
          compatibility.getResult().getIncompatibilities()) {
        if (why.length() > 0) {
          why.append("; ");
        }
        why.append(incompatibility.getType())
            .append(" at ")
            .append(incompatibility.getLocation())
            .append(": ")
            .append(incompatibility.getMessage());
      }
      resolution = new Resolution<>(null, false, why.toString());
    }
    Resolution<T> previous = resolutions.putIfAbsent(id, resolution);
    return previous != null ? previous : resolution;
  }

  private static RecordDecodingException failure(
      String kafkaTopic,
      int partition,
      long offset,
      Reason reason,
      int schemaId,
      String detail,
      Throwable cause) {
    return new RecordDecodingException(
        kafkaTopic, partition, offset, reason, schemaId, detail, cause);
  }
}
