/**
 * Internals of the serdes: a bounds-checked Avro binary decoder. Not an API; use {@code
 * dev.lodestone.schemas.serde}.
 */
package dev.lodestone.schemas.serde.internal;
