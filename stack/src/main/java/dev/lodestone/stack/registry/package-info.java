/**
 * The embedded schema registry server: the Confluent REST API over HTTP, backed by the in-process
 * registry of {@code dev.lodestone.schemas.registry}. The local stack starts it beside the broker.
 */
package dev.lodestone.stack.registry;
