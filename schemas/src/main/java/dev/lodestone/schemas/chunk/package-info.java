/**
 * Large blobs (model weights, learner state) in chunks below the broker's message limit: {@link
 * dev.lodestone.schemas.chunk.Chunker} splits a blob and makes the chunk records ({@code
 * PolicyVersion}, {@code LearnerCheckpoint}) with the blob's SHA-256; {@link
 * dev.lodestone.schemas.chunk.ChunkAssembler} collects the chunks of one version, detects
 * completion, and verifies count, size and SHA-256. Pure functions of their inputs.
 */
package dev.lodestone.schemas.chunk;
