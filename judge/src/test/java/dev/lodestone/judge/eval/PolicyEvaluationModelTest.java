package dev.lodestone.judge.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.policy.SamplingParams;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The evaluation of a real model checked against an independent path: the sampler's own
 * log-probabilities (key/value-cached decoding) and Monte Carlo estimates from sampled answers
 * judged one by one.
 */
class PolicyEvaluationModelTest {
  private static final PreferenceGame GAME = Games.perturbedRps();
  private static final int N = 4000;

  @Test
  void exactProbabilitiesAndWinRateAgreeWithSampledAnswers() {
    try (PolicyModel pi = EvalModels.trained(GAME, new double[] {0.2, 0.5, 0.3}, 30, 11);
        PolicyModel ref = EvalModels.trained(GAME, new double[] {0.7, 0.2, 0.1}, 30, 12)) {
      StrategyDistribution p = PolicyEvaluation.distribution(pi, GAME, GAME.prompt());
      StrategyDistribution q = PolicyEvaluation.distribution(ref, GAME, GAME.prompt());
      // Partly trained: every strategy and the invalid answers carry real mass.
      assertThat(p.invalidMass()).isBetween(0.02, 0.98);
      assertThat(q.invalidMass()).isBetween(0.02, 0.98);

      int[] prompt = pi.tokenizer().encodePrompt(GAME.prompt());
      SamplingParams params = SamplingParams.of(12);
      List<SampledResponse> fromPi = pi.sample(prompt, N, params, new SplittableRandom(1));
      List<SampledResponse> fromRef = ref.sample(prompt, N, params, new SplittableRandom(2));

      int[] counts = new int[GAME.size()];
      int invalid = 0;
      double wins = 0;
      for (int k = 0; k < N; k++) {
        SampledResponse a = fromPi.get(k);
        int i = a.finished() ? GAME.indexOf(a.text()) : -1;
        if (i >= 0) {
          counts[i]++;
          // The sampler's log-probability of a whole strategy answer is the exact one.
          assertThat(a.logProb()).isCloseTo(Math.log(p.probability(i)), within(1e-4));
        } else {
          invalid++;
        }
        wins += GAME.judge(answer(fromPi.get(k)), answer(fromRef.get(k)));
      }
      for (int i = 0; i < GAME.size(); i++) {
        assertThat(counts[i] / (double) N)
            .as(GAME.strategies().get(i))
            .isCloseTo(p.probability(i), within(4 * sigma(p.probability(i))));
      }
      assertThat(invalid / (double) N)
          .isCloseTo(p.invalidMass(), within(4 * sigma(p.invalidMass())));
      // One judged pair has variance at most 1/4: four standard errors of the mean.
      assertThat(wins / N)
          .isCloseTo(PolicyEvaluation.winRate(p, q, GAME), within(4 * 0.5 / Math.sqrt(N)));

      Evaluation e = PolicyEvaluation.evaluate(pi, GAME, GAME.prompt(), q);
      assertThat(e.distribution()).isEqualTo(p);
      assertThat(e.exploitability()).isEqualTo(GAME.exploitability(p.probabilities()));
      assertThat(PolicyEvaluation.evaluate(pi, ref, GAME)).isEqualTo(e);
    }
  }

  /** What the judge sees: the text of a finished answer; an unfinished one is never a strategy. */
  private static String answer(SampledResponse r) {
    return r.finished() ? r.text() : "\u0000unfinished";
  }

  private static double sigma(double prob) {
    return Math.sqrt(Math.max(prob * (1 - prob), 1e-4) / N);
  }
}
