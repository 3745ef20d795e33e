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
  void sharedPromptLayoutKeepsResponsePositionsAndStoresEachPrefixOnce() {
    ModelConfig cfg = TestModels.small();
    int pad = cfg.padId();
    float x = -1f; // the mask value for a forbidden key
    TokenBatch b =
        TokenBatch.sharedPrompts(
            cfg,
            List.of(
                new PromptResponse(new int[] {256, 10, 259}, new int[] {20, 21, 257}),
                new PromptResponse(new int[] {256, 259}, new int[] {257}),
                new PromptResponse(new int[] {256, 10, 259}, new int[] {22, 257})));
    assertThat(b.sharesPrompts()).isTrue();
    assertThat(b.batchSize()).isEqualTo(3);
    assertThat(b.length()).isEqualTo(3); // the longest response
    assertThat(b.responseStart(0)).isZero();
    assertThat(b.responseTokenCount()).isEqualTo(6);
    assertThat(b.inputTokenCount()).isEqualTo(5 + 2 + 4); // as in the full layout
    assertThat(b.prefixCount()).isEqualTo(2);
    assertThat(b.prefixLength()).isEqualTo(2);
    try (NDManager m = NDManager.newBaseManager(TestModels.cpu())) {
      // Prefixes: the prompts without their last token, in order of first appearance.
      assertThat(b.prefixInputs(m).toLongArray()).containsExactly(256, 10, /* 2 */ 256, pad);
      assertThat(b.rowPrefix(m).toLongArray()).containsExactly(0, 1, 0);
      // Row inputs: the last prompt token, then the response without its last token.
      assertThat(b.inputs(m).toLongArray())
          .containsExactly(259, 20, 21, /* row 2 */ 259, pad, pad, /* row 3 */ 259, 22, pad);
      assertThat(b.targets(m).toLongArray())
          .containsExactly(20, 21, 257, /* row 2 */ 257, pad, pad, /* row 3 */ 22, 257, pad);
      assertThat(b.responseMask(m).toFloatArray())
          .containsExactly(1, 1, 1, /* row 2 */ 1, 0, 0, /* row 3 */ 1, 1, 0);
      assertThat(b.positions(m).toLongArray())
          .containsExactly(2, 3, 4, /* row 2 */ 1, 0, 0, /* row 3 */ 2, 3, 0);
      // Keys: the row's real prefix positions (2 of 2, 1 of 2, 2 of 2), then its own causally.
      assertThat(b.prefixAttentionMask(m, x).toFloatArray())
          .containsExactly(
              0, 0, 0, x, x, /* */ 0, 0, 0, 0, x, /* */ 0, 0, 0, 0, 0, // row 1
              0, x, 0, x, x, /* */ 0, x, 0, 0, x, /* */ 0, x, 0, 0, 0, // row 2
              0, 0, 0, x, x, /* */ 0, 0, 0, 0, x, /* */ 0, 0, 0, 0, 0); // row 3
    }
    assertThatThrownBy(
            () ->
                TokenBatch.of(cfg, List.of(new PromptResponse(new int[] {256}, new int[] {1})))
                    .prefixLength())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a shared-prompt batch");
  }

  @Test
  void refusesWhatTheModelCannotRead() {
    ModelConfig cfg = TestModels.small();
    assertThatThrownBy(() -> TokenBatch.of(cfg, List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> TokenBatch.sharedPrompts(cfg, List.of()))
        .hasMessageContaining("at least one");
    assertThatThrownBy(
            () ->
                TokenBatch.sharedPrompts(
                    cfg, List.of(new PromptResponse(new int[] {1}, new int[49]))))
        .hasMessageContaining("contextLength is 48");
    assertThatThrownBy(
            () -> TokenBatch.of(cfg, List.of(new PromptResponse(new int[] {300}, new int[] {1}))))
        .hasMessageContaining("token id 300");
    assertThatThrownBy(() -> new PromptResponse(new int[] {1}, new int[0]))
        .hasMessageContaining("response must have at least one token");
  }
}
