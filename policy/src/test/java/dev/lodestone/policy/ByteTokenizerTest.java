package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

  private final ByteTokenizer tok = ByteTokenizer.standard();

  @Test
  void anyTextRoundTrips() {
    for (String s :
        List.of("", "rock", "Choose your move.", "naïve café ☕ 𝄞 日本語", "\u0000\n\t", "a\uFFFDb")) {
      assertThat(tok.decode(tok.encodeResponse(s, true))).isEqualTo(s);
      assertThat(tok.decode(tok.encodeResponse(s, false))).isEqualTo(s);
    }
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 20; k++) {
        int cp = rng.nextInt(0x10FFFF);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          continue;
        }
        sb.appendCodePoint(cp);
      }
      String s = sb.toString();
      assertThat(tok.decode(tok.encodeResponse(s, true))).isEqualTo(s);
    }
  }

  @Test
  void promptsAreFramedByBosAndSeparator() {
    assertThat(tok.encodePrompt("ab")).containsExactly(256, 'a', 'b', 259);
    assertThat(tok.encodeResponse("ab", true)).containsExactly('a', 'b', 257);
    assertThat(tok.encodePrompt("é")).containsExactly(256, 0xC3, 0xA9, 259);
  }

  @Test
  void decodingStopsAtEosAndMarksOtherSpecials() {
    assertThat(tok.decode(new int[] {'r', 'o', 257, 'x'})).isEqualTo("ro");
    assertThat(tok.decode(new int[] {'r', 259, 'o'})).isEqualTo("r\uFFFDo");
    assertThat(tok.decode(new int[] {'r', 256, 'o', 'c', 'k'})).isNotEqualTo("rock");
    assertThat(tok.decode(new int[] {0xC3})).isEqualTo("\uFFFD");
    assertThatThrownBy(() -> tok.decode(new int[] {260}))
        .hasMessageContaining("token id 260 is outside the vocabulary");
  }

  @Test
  void reducedVocabularyPutsSpecialsAtTheTopAndRefusesLargeBytes() {
    ByteTokenizer small = ByteTokenizer.forConfig(TestModels.tinyVocab());
    assertThat(new int[] {small.bos(), small.eos(), small.pad(), small.sep()})
        .containsExactly(3, 4, 5, 6);
    assertThat(small.encodePrompt("\u0001\u0002")).containsExactly(3, 1, 2, 6);
    assertThatThrownBy(() -> small.encodeResponse("a", true))
        .hasMessageContaining("byte 97")
        .hasMessageContaining("bytes 0..2 only");
  }

  @Test
  void malformedUnicodeIsRefused() {
    assertThatThrownBy(() -> tok.encodeResponse("\uD800", true))
        .hasMessageContaining("not well-formed Unicode");
  }
}
