/**
 * The local stack: an in-process single-node KRaft Kafka broker and the embedded schema registry
 * ({@link dev.lodestone.stack.LocalStack}), and topic provisioning from the catalogue against any
 * cluster ({@link dev.lodestone.stack.TopicProvisioner}).
 *
 * <p>Failures are typed: {@link dev.lodestone.stack.PortInUseException} and {@link
 * dev.lodestone.stack.DataDirException} before anything starts, {@link
 * dev.lodestone.stack.TopicLayoutException} when an existing topic does not match the catalogue.
 */
package dev.lodestone.stack;
