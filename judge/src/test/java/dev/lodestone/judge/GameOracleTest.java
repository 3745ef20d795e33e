package dev.lodestone.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.games.InvalidGameException;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.avro.JudgeKind;
import org.junit.jupiter.api.Test;

class GameOracleTest {

  @Test
  void shouldLabelItsTaskWithTheGamesExactPreferences() {
    TextPreferenceJudge oracle = GameOracle.forTask("perturbed-rps");
    assertThat(oracle.judgeId()).isEqualTo("oracle:perturbed-rps");
    assertThat(oracle.kind()).isEqualTo(JudgeKind.GAME_ORACLE);
    assertThat(oracle.accepts(TestGroups.groupOfTask("g", "perturbed-rps", "rock", "paper")))
        .isTrue();
    assertThat(oracle.accepts(TestGroups.groupOfTask("g", "rps", "rock", "paper"))).isFalse();

    // docs/design.md, "Games": P = [[1/2, 0, 1], [1, 1/2, 1/3], [0, 2/3, 1/2]]; a response that is
    // not a strategy loses to every strategy and ties with another such response.
    double[] p =
        oracle.preferences(
            TestGroups.groupOfTask(
                "g", "perturbed-rps", "paper", "scissors", "rock", "Rock", "banana"));
    assertThat(p)
        .containsExactly(
            new double[] {
              1.0 / 3.0,
              1.0,
              1.0,
              1.0, // paper vs scissors, rock, Rock, banana
              0.0,
              1.0,
              1.0, // scissors vs rock, Rock, banana
              1.0,
              1.0, // rock vs Rock, banana
              0.5 // Rock vs banana
            },
            org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void shouldRefuseATaskThatIsNotAGame() {
    assertThatThrownBy(() -> GameOracle.forTask("chess"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageContaining("chess");
  }
}
