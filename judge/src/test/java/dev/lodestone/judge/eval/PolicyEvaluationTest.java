package dev.lodestone.judge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The evaluation arithmetic against hand-computed numbers and the game's identities. */
class PolicyEvaluationTest {
  private static final PreferenceGame PRPS = Games.perturbedRps();
  private static final double EPS = 1e-12;

  @Test
  void winRateAgainstAValidReferenceMatchesTheHandComputation() {
    // p = (0.5, 0.3, 0.1), invalid 0.1; q = (0.7, 0.2, 0.1), invalid 0.
    // (P q) = (0.45, 0.8333.., 0.1833..); p . (P q) = 0.225 + 0.25 + 0.018333.. = 0.493333..
    StrategyDistribution p = StrategyDistribution.of(0.5, 0.3, 0.1);
    StrategyDistribution q = StrategyDistribution.of(0.7, 0.2, 0.1);
    assertThat(PolicyEvaluation.winRate(p, q, PRPS))
        .isCloseTo(0.225 + 0.25 + 0.11 / 6, within(EPS));
  }

  @Test
  void invalidAnswersLoseToValidOnesAndTieWithEachOther() {
    // p = (0.5, 0.3, 0.1), invalid 0.1; q = (0.4, 0.2, 0.2), invalid 0.2.
    // valid part: 0.5 * 0.4 + 0.3 * 0.566666.. + 0.1 * 0.233333.. = 0.393333..
    // p valid vs q invalid: 0.9 * 0.2 = 0.18; both invalid: 0.1 * 0.2 / 2 = 0.01.
    StrategyDistribution p = StrategyDistribution.of(0.5, 0.3, 0.1);
    StrategyDistribution q = StrategyDistribution.of(0.4, 0.2, 0.2);
    double expected = 0.2 + 0.17 + 0.07 / 3 + 0.18 + 0.01;
    assertThat(PolicyEvaluation.winRate(p, q, PRPS)).isCloseTo(expected, within(EPS));
    // Constant sum: what p wins, q loses.
    assertThat(PolicyEvaluation.winRate(q, p, PRPS)).isCloseTo(1 - expected, within(EPS));
    // All invalid against all invalid: a tie; any valid answer beats all-invalid.
    StrategyDistribution none = StrategyDistribution.of(0, 0, 0);
    assertThat(PolicyEvaluation.winRate(none, none, PRPS)).isEqualTo(0.5);
    assertThat(PolicyEvaluation.winRate(StrategyDistribution.of(0, 0, 1), none, PRPS))
        .isEqualTo(1.0);
  }

  @Test
  void everyPolicyWinsHalfAgainstItselfAndTheNashAtLeastHalfAgainstAnyone() {
    SplittableRandom rng = new SplittableRandom(7);
    StrategyDistribution nash = StrategyDistribution.of(1 / 7.0, 3 / 7.0, 3 / 7.0);
    for (int trial = 0; trial < 200; trial++) {
      double[] p = new double[4];
      double s = 0;
      for (int i = 0; i < 4; i++) {
        p[i] = rng.nextDouble();
        s += p[i];
      }
      StrategyDistribution d =
          StrategyDistribution.of(p[0] / s, p[1] / s, p[2] / s); // p[3]: invalid
      assertThat(PolicyEvaluation.winRate(d, d, PRPS)).isCloseTo(0.5, within(EPS));
      assertThat(PolicyEvaluation.winRate(nash, d, PRPS)).isGreaterThanOrEqualTo(0.5 - EPS);
    }
    assertThat(PolicyEvaluation.exploitability(nash, PRPS)).isCloseTo(0.0, within(EPS));
  }

  @Test
  void exploitabilityCountsTheInvalidMassAsLosingAnswers() {
    // p = (0.5, 0.3, 0.1), invalid 0.1: (P p) = (0.35, 0.68333.., 0.25); the best response, paper,
    // also beats the invalid 0.1: 0.78333.. - 0.5.
    StrategyDistribution p = StrategyDistribution.of(0.5, 0.3, 0.1);
    assertThat(PolicyEvaluation.exploitability(p, PRPS)).isCloseTo(0.85 / 3, within(EPS));
    Evaluation e = PolicyEvaluation.evaluate(p, StrategyDistribution.of(0.7, 0.2, 0.1), PRPS);
    assertThat(e.exploitability()).isCloseTo(0.85 / 3, within(EPS));
    assertThat(e.invalidMass()).isCloseTo(0.1, within(EPS));
    assertThat(e.metricValues())
        .containsOnlyKeys(
            "eval/exploitability",
            "eval/winRateVsInitial",
            "eval/invalidMass",
            "eval/prob/rock",
            "eval/prob/paper",
            "eval/prob/scissors")
        .containsEntry("eval/prob/paper", 0.3)
        .containsEntry("eval/winRateVsInitial", e.winRateVsReference());
  }

  @Test
  void strategyProbabilitiesComeFromTheScoresOfTheStrategiesFollowedByEos() {
    ByteTokenizer tok = ByteTokenizer.standard();
    List<int[]> seen = new ArrayList<>();
    int[][] prompts = new int[1][];
    PolicyEvaluation.SequenceScorer scorer =
        (prompt, responses) -> {
          prompts[0] = prompt;
          seen.addAll(responses);
          return new double[] {Math.log(0.25), Math.log(0.5), Double.NEGATIVE_INFINITY};
        };
    StrategyDistribution d = PolicyEvaluation.distribution(scorer, tok, PRPS, "Choose.");
    assertThat(prompts[0]).containsExactly(tok.encodePrompt("Choose."));
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0)).containsExactly('r', 'o', 'c', 'k', ByteTokenizer.EOS);
    assertThat(seen.get(2)).endsWith(ByteTokenizer.EOS).hasSize("scissors".length() + 1);
    assertThat(d.probabilities()).containsExactly(new double[] {0.25, 0.5, 0.0}, within(EPS));
    assertThat(d.invalidMass()).isCloseTo(0.25, within(EPS));
  }

  @Test
  void roundingAboveOneIsRescaledAndRealExcessIsRefused() {
    StrategyDistribution d = StrategyDistribution.of(0.5000004, 0.5000004, 0);
    assertThat(d.invalidMass()).isZero();
    assertThat(d.probability(0) + d.probability(1)).isCloseTo(1.0, within(EPS));
    // The game accepts the rescaled vector.
    assertThat(PolicyEvaluation.exploitability(d, PRPS)).isCloseTo(0.25, within(1e-6));
    assertThatThrownBy(() -> StrategyDistribution.of(0.6, 0.6, 0))
        .hasMessageContaining("sum to 1.2");
    assertThatThrownBy(() -> StrategyDistribution.of(0.1, Double.NaN))
        .hasMessage("probabilities[1] must be finite and >= 0, got NaN");
    assertThatThrownBy(
            () ->
                PolicyEvaluation.winRate(
                    StrategyDistribution.of(1, 0), StrategyDistribution.of(1, 0, 0), PRPS))
        .hasMessageContaining("pi has 2 strategies, game 'perturbed-rps' has 3");
  }
}
