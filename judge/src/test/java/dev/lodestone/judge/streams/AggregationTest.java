package dev.lodestone.judge.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.avro.JudgeKind;
import org.junit.jupiter.api.Test;

class AggregationTest {

  @Test
  void shouldParseEveryRuleAndRoundTripItsId() {
    assertThat(Aggregation.parse("MEAN")).isEqualTo(Aggregation.MEAN);
    assertThat(Aggregation.parse(" majority ")).isEqualTo(Aggregation.MAJORITY);
    Aggregation w = Aggregation.parse("weighted:llm=0.5, Human=2");
    assertThat(w.weights())
        .containsEntry(JudgeKind.LLM, 0.5)
        .containsEntry(JudgeKind.HUMAN, 2.0)
        .containsEntry(JudgeKind.GAME_ORACLE, 1.0);
    assertThat(Aggregation.parse(w.id())).isEqualTo(w);
  }

  @Test
  void shouldRefuseBadSpecificationsWithTheReason() {
    assertThatThrownBy(() -> Aggregation.parse("median"))
        .hasMessageContaining("mean, majority or weighted");
    assertThatThrownBy(() -> Aggregation.parse("weighted:robot=1"))
        .hasMessageContaining("unknown judge kind 'robot'");
    assertThatThrownBy(() -> Aggregation.parse("weighted:llm"))
        .hasMessageContaining("is not KIND=W");
    assertThatThrownBy(() -> Aggregation.parse("weighted:llm=x"))
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> Aggregation.parse("weighted:llm=0"))
        .hasMessageContaining("must be a positive number");
  }
}
