package dev.lodestone.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a subject: the subject, the global schema id, the version number within the
 * subject and the schema itself.
 *
 * @param subject the subject, e.g. {@code samples-value}
 * @param id the global, content-addressed schema id (positive)
 * @param version the version within the subject, counted from 1
 * @param schema the Avro schema
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {
  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
    if (id < 1) {
      throw new IllegalArgumentException("id of subject " + subject + " must be >= 1, got " + id);
    }
    if (version < 1) {
      throw new IllegalArgumentException(
          "version of subject " + subject + " must be >= 1, got " + version);
    }
  }
}
