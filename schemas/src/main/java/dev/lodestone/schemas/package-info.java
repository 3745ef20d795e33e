/**
 * Lodestone's contracts: the topic catalogue ({@link dev.lodestone.schemas.Topics}), the Avro
 * records of every topic (generated into {@code dev.lodestone.schemas.avro} from {@code
 * src/main/avro}), and how they travel: Confluent wire-format serdes and a schema registry client
 * and server.
 *
 * <p>This module depends on no other Lodestone module.
 */
package dev.lodestone.schemas;
