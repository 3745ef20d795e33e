package dev.lodestone.schemas.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.TopicPartitionOffset;
import dev.lodestone.schemas.chunk.ChunkAssemblyException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkingTest {
  private static final Instant TIME = Instant.ofEpochMilli(1_790_000_000_000L);

  private static byte[] blob(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static PolicyVersion.Builder header(long version) {
    return PolicyVersion.newBuilder()
        .setModelId("model-1")
        .setRole(ModelRole.POLICY)
        .setVersion(version)
        .setMagnetVersion(2)
        .setStep(100 * version)
        .setAlgorithm("mpo")
        .setConsumedOffsets(List.of(new TopicPartitionOffset("labeled", 0, 500L)))
        .setTime(TIME);
  }

  @Test
  void shouldHashWithLowerCaseHexSha256() {
    // FIPS 180-2 test vector.
    assertThat(Sha256.hex("abc".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(Sha256.hex(new byte[0]))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(Sha256.isHex(Sha256.hex(new byte[0]))).isTrue();
    assertThat(Sha256.isHex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"))
        .isFalse();
  }

  @Test
  void shouldSplitIntoChunksNoLargerThanTheLimit() {
    byte[] bytes = blob(2500, 1);
    ChunkedBlob blob = Chunker.split(bytes, 1000);

    assertThat(blob.count()).isEqualTo(3);
    assertThat(blob.chunks()).extracting(ByteBuffer::remaining).containsExactly(1000, 1000, 500);
    assertThat(blob.totalBytes()).isEqualTo(2500);
    assertThat(blob.sha256()).isEqualTo(Sha256.hex(bytes));
    assertThat(blob.chunk(2)).isEqualTo(ByteBuffer.wrap(bytes, 2000, 500));
    assertThat(blob.chunk(0).isReadOnly()).isTrue();
    assertThat(Chunker.split(blob(2000, 1), 1000).count()).isEqualTo(2);
    assertThat(Chunker.split(new byte[0], 1000).count()).isEqualTo(1);
    assertThat(Chunker.split(new byte[0], 1000).chunk(0).remaining()).isZero();
    assertThatThrownBy(() -> Chunker.split(bytes, 0))
        .hasMessageContaining("maxChunkBytes must be >= 1, got 0");
    assertThatThrownBy(() -> blob.chunk(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void shouldCopyTheBlobSoThatLaterChangesDoNotLeakIntoChunks() {
    byte[] bytes = blob(10, 2);
    ChunkedBlob blob = Chunker.split(bytes, 4);
    bytes[0]++;
    assertThat(blob.chunk(0).get(0)).isEqualTo((byte) (bytes[0] - 1));
  }

  @Test
  void shouldReassembleChunksArrivingInAnyOrder() {
    byte[] bytes = blob(10_001, 3);
    List<PolicyVersion> chunks =
        new ArrayList<>(Chunker.policyVersionChunks(header(7), Chunker.split(bytes, 1000)));
    assertThat(chunks).hasSize(11);
    assertThat(chunks).allSatisfy(c -> assertThat(c.getUri()).isNull());
    Collections.shuffle(chunks, new Random(4));

    ChunkAssembler<PolicyVersion> assembler = ChunkAssembler.forPolicyVersion();
    for (int i = 0; i < chunks.size(); i++) {
      assertThat(assembler.add(chunks.get(i))).isEqualTo(i == chunks.size() - 1);
    }
    assertThat(assembler.add(chunks.get(3))).isTrue(); // an identical repeat is ignored
    AssembledBlob<PolicyVersion> assembled = assembler.assemble();

    assertThat(assembled.bytes()).isEqualTo(bytes);
    assertThat(assembled.sha256()).isEqualTo(Sha256.hex(bytes));
    assertThat(assembled.header().getChunkIndex()).isZero();
    assertThat(assembled.header().getVersion()).isEqualTo(7);
    assertThat(assembler.version()).contains("model model-1 POLICY version 7");
    assertThat(assembler.received()).isEqualTo(11);
  }

  @Test
  void shouldReassembleALearnerCheckpointAndAnEmptyBlob() {
    LearnerCheckpoint.Builder header =
        LearnerCheckpoint.newBuilder()
            .setModelId("model-1")
            .setStep(300)
            .setPolicyVersion(3)
            .setMagnetVersion(1)
            .setAlgorithm("mpo")
            .setSeed(42)
            .setConfig("{}")
            .setOffsets(List.of())
            .setTime(TIME);
    byte[] state = blob(3000, 5);
    ChunkAssembler<LearnerCheckpoint> assembler = ChunkAssembler.forLearnerCheckpoint();
    for (LearnerCheckpoint chunk :
        Chunker.learnerCheckpointChunks(header, Chunker.split(state, 1024))) {
      assembler.add(chunk);
    }
    assertThat(assembler.assemble().bytes()).isEqualTo(state);

    ChunkAssembler<LearnerCheckpoint> empty = ChunkAssembler.forLearnerCheckpoint();
    assertThat(
            empty.add(
                Chunker.learnerCheckpointChunks(header, Chunker.split(new byte[0], 1024)).get(0)))
        .isTrue();
    assertThat(empty.assemble().bytes()).isEmpty();
  }

  @Test
  void shouldRejectAChunkOfAnotherVersionAndStayUsable() {
    List<PolicyVersion> v7 = Chunker.policyVersionChunks(header(7), Chunker.split(blob(30, 6), 10));
    List<PolicyVersion> v8 = Chunker.policyVersionChunks(header(8), Chunker.split(blob(30, 7), 10));
    ChunkAssembler<PolicyVersion> assembler = ChunkAssembler.forPolicyVersion();
    assembler.add(v7.get(0));

    assertThat(assembler.accepts(v8.get(1))).isFalse();
    assertThatThrownBy(() -> assembler.add(v8.get(1)))
        .isInstanceOfSatisfying(
            ChunkAssemblyException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.MIXED_VERSION);
              assertThat(e.getMessage()).contains("version 8", "version 7");
            });
    assertThat(assembler.received()).isEqualTo(1);
    assembler.add(v7.get(1));
    assembler.add(v7.get(2));
    assertThat(assembler.isComplete()).isTrue();
  }

  @Test
  void shouldRejectInconsistentConflictingAndInvalidChunks() {
    byte[] bytes = blob(30, 8);
    List<PolicyVersion> chunks = Chunker.policyVersionChunks(header(7), Chunker.split(bytes, 10));
    ChunkAssembler<PolicyVersion> assembler = ChunkAssembler.forPolicyVersion();
    assembler.add(chunks.get(0));

    PolicyVersion otherHash =
        PolicyVersion.newBuilder(chunks.get(1)).setSha256(Sha256.hex(new byte[1])).build();
    assertRejected(assembler, otherHash, Reason.INCONSISTENT_CHUNK, "sha256=");
    PolicyVersion otherStep = PolicyVersion.newBuilder(chunks.get(1)).setStep(1).build();
    assertRejected(assembler, otherStep, Reason.INCONSISTENT_CHUNK, "step=1");
    PolicyVersion changed =
        PolicyVersion.newBuilder(chunks.get(0)).setWeights(ByteBuffer.wrap(new byte[10])).build();
    assertRejected(assembler, changed, Reason.CONFLICTING_DUPLICATE, "chunk 0 of 3");
    PolicyVersion outOfRange = PolicyVersion.newBuilder(chunks.get(1)).setChunkIndex(3).build();
    assertRejected(assembler, outOfRange, Reason.INVALID_CHUNK, "chunkIndex 3");
    PolicyVersion badHash = PolicyVersion.newBuilder(chunks.get(1)).setSha256("abc").build();
    assertRejected(assembler, badHash, Reason.INVALID_CHUNK, "'abc'");
    PolicyVersion tooBig =
        PolicyVersion.newBuilder(chunks.get(1)).setWeights(ByteBuffer.wrap(new byte[25])).build();
    assertRejected(assembler, tooBig, Reason.SIZE_MISMATCH, "more than the total 30");
    PolicyVersion noBytes = PolicyVersion.newBuilder(chunks.get(1)).setWeights(null).build();
    assertRejected(assembler, noBytes, Reason.INVALID_CHUNK, "no bytes");
    PolicyVersion stored =
        PolicyVersion.newBuilder(chunks.get(1))
            .setWeights(null)
            .setUri("file:///weights/7")
            .build();
    assertRejected(assembler, stored, Reason.NOT_INLINE, "file:///weights/7");

    assertThatThrownBy(assembler::assemble)
        .isInstanceOfSatisfying(
            ChunkAssemblyException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.INCOMPLETE);
              assertThat(e.getMessage()).contains("1 of 3 chunks");
            });
  }

  @Test
  void shouldDetectCorruptBytesAndShortChunksAtAssembly() {
    byte[] bytes = blob(30, 9);
    List<PolicyVersion> chunks = Chunker.policyVersionChunks(header(7), Chunker.split(bytes, 10));
    ChunkAssembler<PolicyVersion> corrupt = ChunkAssembler.forPolicyVersion();
    corrupt.add(chunks.get(0));
    byte[] flipped = new byte[10];
    chunks.get(1).getWeights().duplicate().get(flipped);
    flipped[4] ^= 1;
    corrupt.add(
        PolicyVersion.newBuilder(chunks.get(1)).setWeights(ByteBuffer.wrap(flipped)).build());
    corrupt.add(chunks.get(2));
    assertThatThrownBy(corrupt::assemble)
        .isInstanceOfSatisfying(
            ChunkAssemblyException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.SHA256_MISMATCH));

    ChunkAssembler<PolicyVersion> shortChunk = ChunkAssembler.forPolicyVersion();
    shortChunk.add(chunks.get(0));
    shortChunk.add(
        PolicyVersion.newBuilder(chunks.get(1)).setWeights(ByteBuffer.wrap(new byte[9])).build());
    shortChunk.add(chunks.get(2));
    assertThatThrownBy(shortChunk::assemble)
        .isInstanceOfSatisfying(
            ChunkAssemblyException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.SIZE_MISMATCH);
              assertThat(e.getMessage()).contains("29 bytes", "says 30");
            });
  }

  private static void assertRejected(
      ChunkAssembler<PolicyVersion> assembler, PolicyVersion chunk, Reason reason, String text) {
    int before = assembler.received();
    assertThatThrownBy(() -> assembler.add(chunk))
        .isInstanceOfSatisfying(
            ChunkAssemblyException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              assertThat(e.getMessage()).contains(text);
            });
    assertThat(assembler.received()).isEqualTo(before);
  }
}
