package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfExportTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "tied head {0}")
  @ValueSource(booleans = {false, true})
  void anExportedPolicyReloadsWithTheSameLogProbsAndTokenizer(boolean tied) throws IOException {
    ModelConfig config = new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 2, 48, 64, tied, 1e-5);
    byte[] text = "rock, héllo".getBytes(StandardCharsets.UTF_8);
    long[] ids = new long[text.length + 3];
    ids[0] = ByteTokenizer.BOS;
    for (int i = 0; i < text.length; i++) {
      ids[i + 1] = text[i] & 0xff;
    }
    ids[text.length + 1] = ByteTokenizer.SEP;
    ids[text.length + 2] = 'p';
    Path out = dir.resolve("export");
    float[] expected;
    try (PolicyModel policy = PolicyModel.create(config, Engines.device("cpu"), 9);
        NDManager m = policy.newManager()) {
      HfConfig written = HfExport.writeGpt2(policy, out, Safetensors.Dtype.F32);
      assertThat(written.activation()).isEqualTo("gelu");
      assertThat(written.tieEmbeddings()).isEqualTo(tied);
      NDArray tokens = m.create(ids, new Shape(1, ids.length));
      NDArray logits =
          policy.block().forward(new ParameterStore(m, false), new NDList(tokens), false).head();
      expected = logits.logSoftmax(-1).toFloatArray();
    }
    HfCheckpoint checkpoint = HfCheckpoint.open(out);
    try (HfCausalLm lm = HfCausalLm.load(checkpoint, Engines.device("cpu"))) {
      float[][] actual = lm.logProbs(ids);
      for (int pos = 0; pos < ids.length; pos++) {
        for (int v = 0; v < ByteTokenizer.VOCAB_SIZE; v++) {
          assertThat(actual[pos][v])
              .isCloseTo(expected[pos * ByteTokenizer.VOCAB_SIZE + v], within(1e-5f));
        }
      }
    }
    try (HfTokenizer t = HfTokenizer.of(checkpoint)) {
      assertThat(t.encode("<|bos|>rock, héllo<|sep|>p")).containsExactly(ids);
      assertThat(t.decode(ids)).isEqualTo("<|bos|>rock, héllo<|sep|>p");
    }
    assertThat(checkpoint.stopTokens()).containsExactly(ByteTokenizer.EOS);
    assertThatThrownBy(
            () -> {
              try (PolicyModel again = PolicyModel.create(config, Engines.device("cpu"), 1)) {
                HfExport.writeGpt2(again, out, Safetensors.Dtype.F32);
              }
            })
        .hasMessageContaining("already holds a checkpoint");
  }
}
