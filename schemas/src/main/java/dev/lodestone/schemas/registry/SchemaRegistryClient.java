package dev.lodestone.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * What Lodestone needs from a schema registry: register and look up Avro schemas under subjects,
 * fetch schemas by their global id, and read and set compatibility levels.
 *
 * <p>Implementations: {@link InMemorySchemaRegistry} (in-process, optionally persistent) and {@link
 * RestSchemaRegistryClient} (Confluent's REST API, also spoken by Apicurio's ccompat API, Karapace
 * and {@link EmbeddedSchemaRegistry}). Every failure is a {@link SchemaRegistryException} carrying
 * Confluent's error code. Implementations are thread-safe.
 */
public interface SchemaRegistryClient {

  /**
   * Registers a schema under a subject and returns its global id. Registering a schema that is
   * already registered under the subject returns its existing id and adds no version; a schema
   * already known under another subject keeps its id.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#INCOMPATIBLE_SCHEMA} when the
   *     schema breaks the subject's compatibility level
   */
  int register(String subject, Schema schema);

  /**
   * The schema with this global id.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#SCHEMA_NOT_FOUND} when no schema
   *     has this id
   */
  Schema schemaById(int id);

  /**
   * The id, version and schema of this schema within the subject, if it is registered there.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#SUBJECT_NOT_FOUND} for an
   *     unknown subject, {@link SchemaRegistryException#SCHEMA_NOT_FOUND} when the schema is not
   *     registered under the subject
   */
  RegisteredSchema lookupVersion(String subject, Schema schema);

  /**
   * The global id of this schema if it is registered under the subject.
   *
   * @throws SchemaRegistryException as {@link #lookupVersion(String, Schema)} does
   */
  default int lookup(String subject, Schema schema) {
    return lookupVersion(subject, schema).id();
  }

  /** All subjects with at least one version, sorted. */
  List<String> subjects();

  /**
   * The version numbers of a subject, ascending.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#SUBJECT_NOT_FOUND}
   */
  List<Integer> versions(String subject);

  /**
   * The latest version of a subject.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#SUBJECT_NOT_FOUND}
   */
  RegisteredSchema latest(String subject);

  /**
   * One version of a subject.
   *
   * @throws SchemaRegistryException {@link SchemaRegistryException#SUBJECT_NOT_FOUND}, {@link
   *     SchemaRegistryException#VERSION_NOT_FOUND}, or {@link
   *     SchemaRegistryException#INVALID_VERSION} for a version below 1
   */
  RegisteredSchema version(String subject, int version);

  /**
   * Whether the schema could be registered as the subject's next version: checked against the
   * latest version (every version, for a transitive level) under the subject's effective level. A
   * subject without versions accepts any schema.
   */
  boolean testCompatibility(String subject, Schema schema);

  /** The registry-wide compatibility level (BACKWARD unless set). */
  CompatibilityLevel globalCompatibility();

  /** Sets the registry-wide compatibility level. */
  void setGlobalCompatibility(CompatibilityLevel level);

  /** The subject's own compatibility level, if it has one. */
  Optional<CompatibilityLevel> subjectCompatibility(String subject);

  /** Sets the subject's own compatibility level (the subject need not have versions yet). */
  void setSubjectCompatibility(String subject, CompatibilityLevel level);

  /** Removes the subject's own level, so that the global level applies again. */
  void deleteSubjectCompatibility(String subject);

  /** The level that applies to the subject: its own, else the global one. */
  default CompatibilityLevel effectiveCompatibility(String subject) {
    return subjectCompatibility(subject).orElseGet(this::globalCompatibility);
  }
}
