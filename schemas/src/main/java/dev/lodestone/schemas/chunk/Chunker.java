package dev.lodestone.schemas.chunk;

import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.PolicyVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits blobs into chunks and makes the chunk records of a version.
 *
 * <pre>{@code
 * ChunkedBlob blob = Chunker.split(weights, Chunker.DEFAULT_MAX_CHUNK_BYTES);
 * List<PolicyVersion> records = Chunker.policyVersionChunks(
 *     PolicyVersion.newBuilder().setModelId("m").setRole(ModelRole.POLICY).setVersion(7)
 *         .setMagnetVersion(3).setStep(700).setAlgorithm("mpo")
 *         .setConsumedOffsets(offsets).setTime(now),
 *     blob);
 * }</pre>
 */
public final class Chunker {
  private Chunker() {}

  /**
   * A chunk size that fits Kafka's default message limits (1 MiB requests and records) with room
   * for the record's other fields.
   */
  public static final int DEFAULT_MAX_CHUNK_BYTES = 512 * 1024;

  /**
   * Splits a blob into chunks of at most {@code maxChunkBytes} bytes (the last may be shorter; an
   * empty blob is one empty chunk). The blob is copied, so later changes to the array do not affect
   * the chunks.
   *
   * @throws IllegalArgumentException when {@code maxChunkBytes} is not positive
   */
  public static ChunkedBlob split(byte[] blob, int maxChunkBytes) {
    Objects.requireNonNull(blob, "blob");
    if (maxChunkBytes < 1) {
      throw new IllegalArgumentException("maxChunkBytes must be >= 1, got " + maxChunkBytes);
    }
    return new ChunkedBlob(blob.clone(), maxChunkBytes);
  }

  /**
   * The chunk records of one policy or magnet version: the header's fields (everything but the
   * chunk fields) copied into each, with {@code chunkIndex}, {@code chunkCount}, {@code weights},
   * {@code sha256} and {@code totalBytes} set from the blob (read-only views of one private copy of
   * it) and {@code uri} null.
   *
   * @throws org.apache.avro.AvroRuntimeException when the header lacks a required field
   */
  public static List<PolicyVersion> policyVersionChunks(
      PolicyVersion.Builder header, ChunkedBlob blob) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(blob, "blob");
    List<PolicyVersion> records = new ArrayList<>(blob.count());
    for (int i = 0; i < blob.count(); i++) {
      records.add(
          PolicyVersion.newBuilder(header)
              .setChunkIndex(i)
              .setChunkCount(blob.count())
              .setWeights(blob.chunk(i))
              .setUri(null)
              .setSha256(blob.sha256())
              .setTotalBytes(blob.totalBytes())
              .build());
    }
    return List.copyOf(records);
  }

  /**
   * The chunk records of one learner checkpoint: the header's fields copied into each, with {@code
   * chunkIndex}, {@code chunkCount}, {@code state}, {@code sha256} and {@code totalBytes} set from
   * the blob.
   *
   * @throws org.apache.avro.AvroRuntimeException when the header lacks a required field
   */
  public static List<LearnerCheckpoint> learnerCheckpointChunks(
      LearnerCheckpoint.Builder header, ChunkedBlob blob) {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(blob, "blob");
    List<LearnerCheckpoint> records = new ArrayList<>(blob.count());
    for (int i = 0; i < blob.count(); i++) {
      records.add(
          LearnerCheckpoint.newBuilder(header)
              .setChunkIndex(i)
              .setChunkCount(blob.count())
              .setState(blob.chunk(i))
              .setSha256(blob.sha256())
              .setTotalBytes(blob.totalBytes())
              .build());
    }
    return List.copyOf(records);
  }
}
