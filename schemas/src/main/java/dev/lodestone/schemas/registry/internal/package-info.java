/**
 * The append-only log that makes the in-process registry durable across restarts. Private to the
 * schemas module.
 */
package dev.lodestone.schemas.registry.internal;
