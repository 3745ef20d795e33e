package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBatchTest {

  @Test
  void laysOutInputsTargetsAndResponseMaskRightPadded() {
    ModelConfig cfg = TestModels.small();
    int pad = cfg.padId();
    TokenBatch b =
        TokenBatch.of(
            cfg,
            List.of(
                new PromptResponse(new int[] {256, 10, 259}, new int[] {20, 21, 257}),
                new PromptResponse(new int[] {256, 259}, new int[] {257})));
    assertThat(b.batchSize()).isEqualTo(2);
    assertThat(b.length()).isEqualTo(5);
    assertThat(b.responseStart(0)).isEqualTo(2);
    assertThat(b.responseTokenCount()).isEqualTo(4);
    assertThat(b.inputTokenCount()).isEqualTo(5 + 2);
    try (NDManager m = NDManager.newBaseManager(TestModels.cpu())) {
      assertThat(b.inputs(m).toLongArray())
          .containsExactly(256, 10, 259, 20, 21, /* row 2 */ 256, 259, pad, pad, pad);
      assertThat(b.targets(m).toLongArray())
          .containsExactly(10, 259, 20, 21, 257, /* row 2 */ 259, 257, pad, pad, pad);
      assertThat(b.responseMask(m).toFloatArray())
          .containsExactly(0, 0, 1, 1, 1, /* row 2 */ 0, 1, 0, 0, 0);
    }
  }

  @Test
  void refusesWhatTheModelCannotRead() {
    ModelConfig cfg = TestModels.small();
    assertThatThrownBy(() -> TokenBatch.of(cfg, List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(
            () -> TokenBatch.of(cfg, List.of(new PromptResponse(new int[] {300}, new int[] {1}))))
        .hasMessageContaining("token id 300");
    assertThatThrownBy(() -> new PromptResponse(new int[] {1}, new int[0]))
        .hasMessageContaining("response must have at least one token");
  }
}
