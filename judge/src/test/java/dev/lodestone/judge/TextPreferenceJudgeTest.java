package dev.lodestone.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.avro.JudgeKind;
import org.junit.jupiter.api.Test;

class TextPreferenceJudgeTest {

  @Test
  void shouldAcceptOnlyGroupsOfItsTask() {
    TextPreferenceJudge judge = TestGroups.rpsJudge("oracle");
    assertThat(judge.accepts(TestGroups.group("g", "rock", "paper"))).isTrue();
    assertThat(judge.accepts(TestGroups.groupOfTask("g", "condorcet", "rock", "paper"))).isFalse();
  }

  @Test
  void shouldGivePreferencesOfEveryPairInCanonicalOrder() {
    TextPreferenceJudge judge = TestGroups.rpsJudge("oracle");
    // (rock, paper) = 0, (rock, scissors) = 1, (rock, banana) = 1 (invalid loses),
    // (paper, scissors) = 1/3, (paper, banana) = 1, (scissors, banana) = 1.
    double[] p = judge.preferences(TestGroups.group("g", "rock", "paper", "scissors", "banana"));
    assertThat(p).containsExactly(0.0, 1.0, 1.0, 1.0 / 3.0, 1.0, 1.0);
    assertThat(judge.preference(TestGroups.group("g", "banana", "kiwi"), 0, 1)).isEqualTo(0.5);
  }

  @Test
  void shouldNameTheBadFieldWhenConstructedWrongly() {
    assertThatThrownBy(
            () -> new TextPreferenceJudge(" ", JudgeKind.GAME_ORACLE, "rps", (a, b) -> 0.5))
        .hasMessageContaining("judgeId");
    assertThatThrownBy(() -> new TextPreferenceJudge("j", JudgeKind.GAME_ORACLE, "", (a, b) -> 0.5))
        .hasMessageContaining("task");
  }
}
