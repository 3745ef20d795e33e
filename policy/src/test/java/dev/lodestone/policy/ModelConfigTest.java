package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

  @Test
  void defaultsMatchTheIssue() {
    ModelConfig d = ModelConfig.defaults();
    assertThat(d.vocabSize()).isEqualTo(260);
    assertThat(d.dModel()).isEqualTo(128);
    assertThat(d.heads()).isEqualTo(4);
    assertThat(d.layers()).isEqualTo(2);
    assertThat(d.contextLength()).isEqualTo(128);
    assertThat(d.headDim()).isEqualTo(32);
    assertThat(new int[] {d.bosId(), d.eosId(), d.padId(), d.sepId()})
        .containsExactly(
            ByteTokenizer.BOS, ByteTokenizer.EOS, ByteTokenizer.PAD, ByteTokenizer.SEP);
  }

  @Test
  void jsonRoundTrips() {
    ModelConfig c = new ModelConfig(100, 48, 3, 5, 77, 99, false, 1e-6);
    assertThat(ModelConfig.fromJson(c.toJson())).isEqualTo(c);
    assertThat(c.toJson()).startsWith("{\"vocabSize\":100,\"dModel\":48");
  }

  @Test
  void invalidFieldsAreNamedWithTheirValues() {
    assertThatThrownBy(() -> new ModelConfig(261, 128, 4, 2, 128, 512, true, 1e-5))
        .hasMessageContaining("vocabSize")
        .hasMessageContaining("261");
    assertThatThrownBy(() -> new ModelConfig(260, 130, 4, 2, 128, 512, true, 1e-5))
        .hasMessageContaining("heads must divide dModel")
        .hasMessageContaining("130");
    assertThatThrownBy(() -> new ModelConfig(260, 128, 4, 0, 128, 512, true, 1e-5))
        .hasMessage("layers must be positive, got 0");
    assertThatThrownBy(() -> new ModelConfig(260, 128, 4, 2, 1, 512, true, 1e-5))
        .hasMessageContaining("contextLength")
        .hasMessageContaining("1");
    assertThatThrownBy(() -> new ModelConfig(260, 128, 4, 2, 128, -3, true, 1e-5))
        .hasMessage("mlpHidden must be positive, got -3");
    assertThatThrownBy(() -> new ModelConfig(260, 128, 4, 2, 128, 512, true, 0))
        .hasMessageContaining("layerNormEps");
  }

  @Test
  void invalidJsonIsRefusedWithTheReason() {
    assertThatThrownBy(() -> ModelConfig.fromJson("{\"vocabSize\": 3}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid model config JSON");
    assertThatThrownBy(() -> ModelConfig.fromJson("not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
