/**
 * Internals of the schema registry: the append-only log that makes the in-process registry durable,
 * and the HTTP handler of the embedded server. Not an API; other modules use {@code
 * dev.lodestone.schemas.registry}.
 */
package dev.lodestone.schemas.registry.internal;
