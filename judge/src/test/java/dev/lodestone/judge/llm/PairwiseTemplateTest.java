package dev.lodestone.judge.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairwiseTemplateTest {

  @Test
  void shouldSubstituteOnceAndLiterally() {
    PairwiseTemplate t = new PairwiseTemplate("P={prompt} A={response_a} B={response_b} $1");
    assertThat(t.render("q", "{response_b} \\ $2", "b"))
        .isEqualTo("P=q A={response_b} \\ $2 B=b $1");
  }

  @Test
  void shouldRefuseATemplateWithoutEveryPlaceholder(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> new PairwiseTemplate("{prompt} {response_a}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{response_b}");
    Path file = dir.resolve("t.txt");
    Files.writeString(file, "{prompt}");
    assertThatThrownBy(() -> PairwiseTemplate.read(file))
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining("{response_a}");
  }

  @Test
  void shouldCutRunawayResponses() {
    String long_ = "x".repeat(PairwiseTemplate.MAX_RESPONSE_CHARS + 10);
    String out = PairwiseTemplate.DEFAULT.render("q", long_, "b");
    assertThat(out).contains("[... 10 more characters cut]").doesNotContain(long_);
  }

  @Test
  void shouldReadTheVerdictLetter() {
    assertThat(Verdict.letter(" A")).isEqualTo('A');
    assertThat(Verdict.letter("b.")).isEqualTo('B');
    assertThat(Verdict.letter("**A**")).isEqualTo('A');
    assertThat(Verdict.letter("Absolutely")).isEqualTo(0);
    assertThat(Verdict.letter("C")).isEqualTo(0);
    assertThat(Verdict.letter("")).isEqualTo(0);
  }
}
