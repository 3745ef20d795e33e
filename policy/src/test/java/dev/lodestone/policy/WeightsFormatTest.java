package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.policy.WeightsFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WeightsFormatTest {

  private static PolicyModel model;
  private static byte[] blob;

  @BeforeAll
  static void createModel() {
    model = TestModels.create(TestModels.small(), 21);
    blob = model.toBytes();
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static Reason reasonOf(byte[] bytes) {
    try {
      PolicyModel.fromBytes(bytes, TestModels.cpu()).close();
    } catch (WeightsFormatException e) {
      return e.reason();
    }
    throw new AssertionError("the blob was accepted");
  }

  @Test
  void blobStartsWithMagicAndHashIsOfTheWholeBlob() {
    assertThat(new String(Arrays.copyOf(blob, 8), StandardCharsets.US_ASCII)).isEqualTo("LDSTWGT1");
    assertThat(model.sha256()).hasSize(64).isEqualTo(model.sha256());
  }

  @Test
  void aFlippedPayloadByteIsAHashMismatch() {
    byte[] corrupt = blob.clone();
    corrupt[corrupt.length - 100] ^= 0x01;
    assertThat(reasonOf(corrupt)).isEqualTo(Reason.HASH_MISMATCH);
    assertThatThrownBy(() -> PolicyModel.fromBytes(corrupt, TestModels.cpu()))
        .hasMessageContaining("payload is corrupt: SHA-256");
  }

  @Test
  void truncatedBlobsAreRefused() {
    assertThat(reasonOf(Arrays.copyOf(blob, blob.length - 1))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(Arrays.copyOf(blob, 30))).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(new byte[3])).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(new byte[0])).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void otherFilesAreNotWeights() {
    byte[] other = "PK\u0003\u0004 this is a zip file".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(reasonOf(other)).isEqualTo(Reason.BAD_MAGIC);
    assertThatThrownBy(() -> PolicyModel.fromBytes(other, TestModels.cpu()))
        .hasMessageContaining("not a Lodestone weights blob");
  }

  @Test
  void anotherFormatVersionIsRefused() {
    byte[] v2 = blob.clone();
    ByteBuffer.wrap(v2).putInt(8, 2);
    assertThat(reasonOf(v2)).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThatThrownBy(() -> PolicyModel.fromBytes(v2, TestModels.cpu()))
        .hasMessageContaining("weights format version 2 is not supported");
  }

  @Test
  void anInvalidConfigIsRefused() {
    byte[] bad = blob.clone();
    // The config JSON starts at byte 16 with {"vocabSize":260, ... make the vocabulary 999.
    String json = new String(bad, 16, 20, StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"vocabSize\":260");
    bad[29] = '9';
    bad[30] = '9';
    bad[31] = '9';
    assertThat(reasonOf(bad)).isEqualTo(Reason.BAD_CONFIG);
    assertThatThrownBy(() -> PolicyModel.fromBytes(bad, TestModels.cpu()))
        .hasMessageContaining("vocabSize must be in [5, 260], got 999");
  }

  @Test
  void anotherArchitectureIsRefusedWithTheDifference() {
    try (PolicyModel other = TestModels.create(TestModels.small().withLayers(3), 1)) {
      byte[] otherBlob = other.toBytes();
      assertThatThrownBy(() -> model.loadWeights(otherBlob))
          .isInstanceOf(WeightsFormatException.class)
          .hasMessageContaining("another architecture")
          .hasMessageContaining("layers 3 in the blob, 2 expected")
          .extracting(e -> ((WeightsFormatException) e).reason())
          .isEqualTo(Reason.ARCHITECTURE_MISMATCH);
      assertThatThrownBy(
              () -> PolicyModel.fromBytes(otherBlob, TestModels.small(), TestModels.cpu()))
          .hasMessageContaining("layers 3 in the blob, 2 expected");
      // Without an expectation, any valid architecture loads.
      try (PolicyModel loaded = PolicyModel.fromBytes(otherBlob, TestModels.cpu())) {
        assertThat(loaded.config().layers()).isEqualTo(3);
      }
    }
  }

  @Test
  void aRefusedLoadLeavesTheModelUnchanged() {
    String before = model.sha256();
    byte[] corrupt = blob.clone();
    corrupt[corrupt.length - 1] ^= 0x10;
    assertThatThrownBy(() -> model.loadWeights(corrupt)).isInstanceOf(WeightsFormatException.class);
    assertThat(model.sha256()).isEqualTo(before);
  }
}
