package dev.lodestone.schemas.chunk;

import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.chunk.ChunkAssemblyException.Reason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Collects the chunks of ONE version (of a policy, a magnet or a learner checkpoint), in any order,
 * detects when every chunk is present and assembles the blob, verifying chunk count, total size and
 * SHA-256.
 *
 * <p>Rejected with a {@link ChunkAssemblyException} and without changing the assembler: a chunk of
 * another version ({@link Reason#MIXED_VERSION}; check {@link #accepts} first to start a new
 * assembler instead), a chunk whose count, size, hash or metadata disagree with the first one, an
 * index out of range, a repeated index with different bytes (an identical repeat is ignored), and
 * chunks that add up to more than the total. Not thread-safe.
 *
 * <pre>{@code
 * ChunkAssembler<PolicyVersion> assembler = ChunkAssembler.forPolicyVersion();
 * for (PolicyVersion chunk : chunksOfOneVersion) {
 *   if (assembler.add(chunk)) {
 *     AssembledBlob<PolicyVersion> weights = assembler.assemble();
 *   }
 * }
 * }</pre>
 *
 * @param <R> the chunk record type
 */
public final class ChunkAssembler<R> {

  /** How to read the chunk fields of a record type. */
  private record Fields<R>(
      Function<R, String> version,
      Function<R, String> metadata,
      Function<R, Integer> index,
      Function<R, Integer> count,
      Function<R, String> sha256,
      Function<R, Long> totalBytes,
      Function<R, ByteBuffer> data,
      Function<R, String> uri) {}

  private static final Fields<PolicyVersion> POLICY_VERSION =
      new Fields<>(
          c -> "model " + c.getModelId() + " " + c.getRole() + " version " + c.getVersion(),
          c ->
              "magnetVersion="
                  + c.getMagnetVersion()
                  + ", step="
                  + c.getStep()
                  + ", algorithm="
                  + c.getAlgorithm(),
          PolicyVersion::getChunkIndex,
          PolicyVersion::getChunkCount,
          PolicyVersion::getSha256,
          PolicyVersion::getTotalBytes,
          PolicyVersion::getWeights,
          PolicyVersion::getUri);

  private static final Fields<LearnerCheckpoint> LEARNER_CHECKPOINT =
      new Fields<>(
          c ->
              "checkpoint of model "
                  + c.getModelId()
                  + " at step "
                  + c.getStep()
                  + " (policy version "
                  + c.getPolicyVersion()
                  + ")",
          c ->
              "magnetVersion="
                  + c.getMagnetVersion()
                  + ", algorithm="
                  + c.getAlgorithm()
                  + ", seed="
                  + c.getSeed(),
          LearnerCheckpoint::getChunkIndex,
          LearnerCheckpoint::getChunkCount,
          LearnerCheckpoint::getSha256,
          LearnerCheckpoint::getTotalBytes,
          LearnerCheckpoint::getState,
          c -> null);

  private final Fields<R> fields;
  private R first;
  private R chunkZero;
  private ByteBuffer[] chunks;
  private int received;
  private long receivedBytes;

  private ChunkAssembler(Fields<R> fields) {
    this.fields = fields;
  }

  /** An assembler of the weights of one policy or magnet version. */
  public static ChunkAssembler<PolicyVersion> forPolicyVersion() {
    return new ChunkAssembler<>(POLICY_VERSION);
  }

  /** An assembler of the state of one learner checkpoint. */
  public static ChunkAssembler<LearnerCheckpoint> forLearnerCheckpoint() {
    return new ChunkAssembler<>(LEARNER_CHECKPOINT);
  }

  /** The version being assembled, e.g. {@code model m POLICY version 7}; empty before a chunk. */
  public Optional<String> version() {
    return first == null ? Optional.empty() : Optional.of(fields.version().apply(first));
  }

  /** Whether the chunk belongs to the version being assembled (true before the first chunk). */
  public boolean accepts(R chunk) {
    Objects.requireNonNull(chunk, "chunk");
    return first == null || fields.version().apply(first).equals(fields.version().apply(chunk));
  }

  /** Distinct chunks received so far. */
  public int received() {
    return received;
  }

  /** Chunks the version has, or 0 before the first chunk. */
  public int expected() {
    return first == null ? 0 : fields.count().apply(first);
  }

  /** Whether every chunk of the version is present. */
  public boolean isComplete() {
    return first != null && received == expected();
  }

  /**
   * Adds a chunk.
   *
   * @return whether the version is complete after this chunk
   * @throws ChunkAssemblyException when the chunk is rejected (the assembler is unchanged)
   */
  public boolean add(R chunk) {
    Objects.requireNonNull(chunk, "chunk");
    String version = fields.version().apply(chunk);
    int index = fields.index().apply(chunk);
    int count = fields.count().apply(chunk);
    String sha256 = fields.sha256().apply(chunk);
    long totalBytes = fields.totalBytes().apply(chunk);
    ByteBuffer data = fields.data().apply(chunk);
    String where = version + " chunk " + index + " of " + count;
    if (count < 1) {
      throw new ChunkAssemblyException(
          Reason.INVALID_CHUNK, where + ": chunkCount must be >= 1, got " + count);
    }
    if (index < 0 || index >= count) {
      throw new ChunkAssemblyException(
          Reason.INVALID_CHUNK, where + ": chunkIndex " + index + " is outside [0, " + count + ")");
    }
    if (!Sha256.isHex(sha256)) {
      throw new ChunkAssemblyException(
          Reason.INVALID_CHUNK,
          where + ": sha256 '" + sha256 + "' is not 64 lower-case hex digits");
    }
    if (totalBytes < 0) {
      throw new ChunkAssemblyException(
          Reason.INVALID_CHUNK, where + ": totalBytes must be >= 0, got " + totalBytes);
    }
    if (data == null) {
      String uri = fields.uri().apply(chunk);
      if (uri != null) {
        throw new ChunkAssemblyException(
            Reason.NOT_INLINE,
            version
                + " is stored at "
                + uri
                + ", not in its chunks; fetch it from there and check its sha256 "
                + sha256);
      }
      throw new ChunkAssemblyException(Reason.INVALID_CHUNK, where + ": the chunk has no bytes");
    }
    if (first != null) {
      String expectedVersion = fields.version().apply(first);
      if (!expectedVersion.equals(version)) {
        throw new ChunkAssemblyException(
            Reason.MIXED_VERSION,
            "a chunk of " + version + " arrived while assembling " + expectedVersion);
      }
      String expected = signature(first);
      String actual = signature(chunk);
      if (!expected.equals(actual)) {
        throw new ChunkAssemblyException(
            Reason.INCONSISTENT_CHUNK,
            where
                + " says ["
                + actual
                + "] but chunk "
                + fields.index().apply(first)
                + " said ["
                + expected
                + "]");
      }
      ByteBuffer existing = chunks[index];
      if (existing != null) {
        if (existing.equals(data)) {
          return isComplete(); // an identical repeat
        }
        throw new ChunkAssemblyException(
            Reason.CONFLICTING_DUPLICATE, where + " arrived twice with different bytes");
      }
    }
    long newTotal = (first == null ? 0 : receivedBytes) + data.remaining();
    if (newTotal > totalBytes) {
      throw new ChunkAssemblyException(
          Reason.SIZE_MISMATCH,
          where
              + ": the chunks so far hold "
              + newTotal
              + " bytes, more than the total "
              + totalBytes);
    }
    if (first == null) {
      first = chunk;
      chunks = new ByteBuffer[count];
    }
    chunks[index] = data.duplicate();
    if (index == 0) {
      chunkZero = chunk;
    }
    received++;
    receivedBytes = newTotal;
    return isComplete();
  }

  private String signature(R chunk) {
    return "chunkCount="
        + fields.count().apply(chunk)
        + ", sha256="
        + fields.sha256().apply(chunk)
        + ", totalBytes="
        + fields.totalBytes().apply(chunk)
        + ", "
        + fields.metadata().apply(chunk);
  }

  /**
   * The whole blob, verified.
   *
   * @throws ChunkAssemblyException {@link Reason#INCOMPLETE} before every chunk arrived, {@link
   *     Reason#SIZE_MISMATCH} or {@link Reason#SHA256_MISMATCH} when the chunks are corrupt
   */
  public AssembledBlob<R> assemble() {
    if (!isComplete()) {
      throw new ChunkAssemblyException(
          Reason.INCOMPLETE,
          version().orElse("no version")
              + ": "
              + received
              + " of "
              + expected()
              + " chunks received");
    }
    String version = fields.version().apply(first);
    long totalBytes = fields.totalBytes().apply(first);
    if (receivedBytes != totalBytes) {
      throw new ChunkAssemblyException(
          Reason.SIZE_MISMATCH,
          version
              + ": the chunks hold "
              + receivedBytes
              + " bytes, the version says "
              + totalBytes);
    }
    byte[] bytes = new byte[Math.toIntExact(totalBytes)];
    MessageDigest digest = Sha256.newDigest();
    int position = 0;
    for (ByteBuffer chunk : chunks) {
      ByteBuffer view = chunk.duplicate();
      int length = view.remaining();
      view.get(bytes, position, length);
      position += length;
    }
    digest.update(bytes);
    String actual = HexFormat.of().formatHex(digest.digest());
    String expected = fields.sha256().apply(first);
    if (!actual.equals(expected)) {
      throw new ChunkAssemblyException(
          Reason.SHA256_MISMATCH,
          version
              + ": the assembled bytes have sha256 "
              + actual
              + ", the version says "
              + expected);
    }
    return new AssembledBlob<>(chunkZero, bytes, actual);
  }
}
