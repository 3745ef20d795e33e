package dev.lodestone.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.games.Games;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.SampleGroup;
import org.junit.jupiter.api.Test;

/** The game oracle's sampled labels: 0/1 verdicts drawn from the game's probabilities. */
class SampledLabelsTest {

  private static final String TASK = "perturbed-rps";

  private static PairJudge sampled(long seed) {
    return GameOracle.forGame(TASK, Games.parse(TASK), LabelMode.SAMPLED, seed);
  }

  @Test
  void shouldDrawVerdictsAtTheGamesRate() {
    PairJudge judge = sampled(3);
    assertThat(judge.judgeId()).isEqualTo("oracle-sampled:perturbed-rps");
    assertThat(judge.kind()).isEqualTo(JudgeKind.GAME_ORACLE);
    // P(paper over scissors) = 1/3, P(scissors over paper) = 2/3, exact 0 and 1 elsewhere.
    int n = 20_000;
    double paperOverScissors = 0;
    double scissorsOverPaper = 0;
    for (int g = 0; g < n; g++) {
      SampleGroup group = TestGroups.groupOfTask("g-" + g, TASK, "paper", "scissors", "rock");
      double[] p = judge.preferences(group); // pairs (0,1), (0,2), (1,2)
      assertThat(java.util.Arrays.stream(p).allMatch(v -> v == 0.0 || v == 1.0)).isTrue();
      paperOverScissors += p[0];
      assertThat(p[1]).isEqualTo(1.0); // paper always beats rock
      assertThat(p[2]).isEqualTo(0.0); // scissors never beats rock
      SampleGroup swapped = TestGroups.groupOfTask("h-" + g, TASK, "scissors", "paper");
      scissorsOverPaper += judge.preferences(swapped)[0];
    }
    // Binomial standard deviation sqrt(p (1 - p) / n) = 0.0033: 5 of them.
    assertThat(paperOverScissors / n).isCloseTo(1.0 / 3.0, within(0.017));
    assertThat(scissorsOverPaper / n).isCloseTo(2.0 / 3.0, within(0.017));
  }

  @Test
  void shouldGiveTheSameVerdictsToTheSameGroupAndOthersToAnotherSeed() {
    int differ = 0;
    for (int g = 0; g < 200; g++) {
      SampleGroup group = TestGroups.groupOfTask("g-" + g, TASK, "paper", "scissors", "paper");
      double[] first = sampled(1).preferences(group);
      assertThat(sampled(1).preferences(group)).containsExactly(first);
      if (sampled(2).preferences(group)[0] != first[0]) {
        differ++;
      }
    }
    // Two independent draws at p = 1/3 differ with probability 4/9: about 89 of 200.
    assertThat(differ).isBetween(50, 130);
  }

  @Test
  void shouldKeepExactLabelsExactAndRefuseUnknownModes() {
    PairJudge exact = GameOracle.forGame(TASK, Games.parse(TASK), LabelMode.EXACT, 1);
    assertThat(exact.judgeId()).isEqualTo("oracle:perturbed-rps");
    SampleGroup group = TestGroups.groupOfTask("g", TASK, "paper", "scissors");
    assertThat(exact.preferences(group)).containsExactly(1.0 / 3.0);
    assertThat(LabelMode.parse("sampled")).isEqualTo(LabelMode.SAMPLED);
    assertThatThrownBy(() -> LabelMode.parse("soft"))
        .hasMessage("labels must be one of exact, sampled, got 'soft'");
  }
}
