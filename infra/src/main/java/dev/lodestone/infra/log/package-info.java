/**
 * Recorded logs: a topic's committed records exported to a file ({@link LogExporter}: Avro object
 * container files, JSON lines, TRL's preference format) and imported back ({@link LogImporter}: in
 * one transaction, at most once per file).
 */
package dev.lodestone.infra.log;
