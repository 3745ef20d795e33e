/**
 * The local stack: an in-process single-node KRaft Kafka broker and the embedded schema registry
 * ({@link dev.lodestone.infra.stack.LocalStack}), and topic provisioning from the catalogue against
 * any cluster ({@link dev.lodestone.infra.stack.TopicProvisioner}).
 *
 * <p>Failures are typed: {@link dev.lodestone.infra.stack.PortInUseException} and {@link
 * dev.lodestone.infra.stack.DataDirException} before anything starts, {@link
 * dev.lodestone.infra.stack.TopicLayoutException} when an existing topic does not match the
 * catalogue.
 */
package dev.lodestone.infra.stack;
