/**
 * The schema registry: a client interface ({@link
 * dev.lodestone.schemas.registry.SchemaRegistryClient}), its in-process implementation ({@link
 * dev.lodestone.schemas.registry.InMemorySchemaRegistry}), a REST client that speaks the Confluent
 * Schema Registry API ({@link dev.lodestone.schemas.registry.RestSchemaRegistryClient}) and an
 * embedded HTTP server speaking the same API ({@link
 * dev.lodestone.stack.registry.EmbeddedSchemaRegistry}).
 *
 * <p>Semantics follow Confluent Schema Registry: schema ids are global and content-addressed (the
 * same schema, compared in Avro's normalized JSON form, has the same id under every subject),
 * versions count per subject from 1, and the compatibility level (BACKWARD by default) is checked
 * with Avro's own {@link org.apache.avro.SchemaCompatibility} when a new version is registered.
 * Errors carry Confluent's HTTP status and {@code error_code} in a {@link
 * dev.lodestone.schemas.registry.SchemaRegistryException}.
 */
package dev.lodestone.schemas.registry;
