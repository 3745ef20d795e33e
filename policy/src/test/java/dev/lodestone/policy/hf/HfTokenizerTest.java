package dev.lodestone.policy.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {

  @TempDir Path dir;

  @Test
  void theCheckpointsTokenizerRoundTripsTextAndAddsNoSpecialTokens() throws IOException {
    RandomCheckpoint.tiny("llama").write(dir, 1, Safetensors.Dtype.F32);
    try (HfTokenizer t = HfTokenizer.of(HfCheckpoint.open(dir))) {
      String text = "rock paper\nscissors? héllo";
      long[] ids = t.encode(text);
      assertThat(t.decode(ids)).isEqualTo(text);
      // "rock" and " paper" are merged words: one token each; bytes otherwise.
      assertThat(t.encodeWithTokens("rock paper").tokens()).containsExactly("rock", "Ġpaper");
      assertThat(t.encode("a")).containsExactly('a');
      // The special token is only there when the text has it.
      assertThat(t.encode(RandomCheckpoint.END_OF_TEXT))
          .containsExactly(RandomCheckpoint.tokenizer().endOfText());
      assertThat(t.encode("")).isEmpty();
    }
  }
}
