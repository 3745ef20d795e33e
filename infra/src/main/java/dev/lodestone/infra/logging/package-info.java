/** Logging of the command line: the filter that keeps Kafka's repeated warnings to one. */
package dev.lodestone.infra.logging;
