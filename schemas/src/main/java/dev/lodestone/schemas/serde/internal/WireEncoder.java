package dev.lodestone.schemas.serde.internal;

import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Encodes values in the Confluent wire format with one writer schema, whose id is registered or
 * looked up under one subject on first use. Thread-safe.
 *
 * @param <T> what the datum writer accepts
 */
public final class WireEncoder<T> {
  private final String subject;
  private final Schema schema;
  private final DatumWriter<T> writer;
  private final SchemaRegistryClient registry;
  private final SchemaRegistration registration;
  private volatile int schemaId = -1;

  /**
   * @param subject the registry subject of the schema
   * @param schema the writer schema
   * @param writer a datum writer for that schema
   * @param registry the registry
   * @param registration whether to register the schema or only look it up
   */
  public WireEncoder(
      String subject,
      Schema schema,
      DatumWriter<T> writer,
      SchemaRegistryClient registry,
      SchemaRegistration registration) {
    this.subject = Objects.requireNonNull(subject, "subject");
    this.schema = Objects.requireNonNull(schema, "schema");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.registration = Objects.requireNonNull(registration, "registration");
  }

  /** The writer schema. */
  public Schema schema() {
    return schema;
  }

  /** The schema id, registered or looked up on the first call and then remembered. */
  public int schemaId() {
    int id = schemaId;
    if (id < 0) {
      id =
          registration == SchemaRegistration.AUTO_REGISTER
              ? registry.register(subject, schema)
              : registry.lookup(subject, schema);
      schemaId = id;
    }
    return id;
  }

  /**
   * Frames and encodes a value.
   *
   * @param what names the value and topic in error messages, e.g. {@code "a Prompt for topic
   *     prompts"}
   * @throws SerializationException when Avro cannot encode the value
   */
  public byte[] encode(T value, String what) {
    int id = schemaId();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(WireFormat.MAGIC_BYTE);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot encode " + what + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }
}
