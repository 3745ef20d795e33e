package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.games.tabular.MagneticMirrorDescent;
import dev.lodestone.games.tabular.TabularConfig;
import dev.lodestone.games.tabular.WinRateOracle;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The minimiser of the MPO loss in a one-token bandit with exact expectations is the tabular MMD
 * step {@code pi ~ [pi_t rho^(eta alpha) exp(eta A)]^(1/(1+eta alpha))}.
 *
 * <p>Exact expectations: one group whose responses are every token of the vocabulary, each drawn
 * (as far as the loss knows) from the uniform behaviour policy {@code mu = 1/n}; then {@code sum_i
 * A_i w_i grad log pi_i = n sum_y A(y) grad pi(y)} and the KL terms are {@code n} times the KL at
 * the single state: the loss is {@code n} times the expected loss. The policy is a free logit
 * vector (the loss sees only log-distributions), minimised by gradient descent to convergence; the
 * reference is {@link MagneticMirrorDescent} stepping once with the win rates r of the group.
 *
 * <p>MPO-RT is not among them: its magnet reward has a leave-one-out baseline, which is unbiased
 * for responses drawn independently and not for an enumeration of the vocabulary; {@link
 * SampledGroupGradientTest} checks its expected gradient on sampled pairs instead.
 */
class MpoLossBanditTest {

  private static final int V = 6;
  private static final ModelConfig CONFIG = new ModelConfig(V, 8, 1, 1, 4, 16, true, 1e-5);

  @ParameterizedTest(name = "{0} eta {1} alpha {2} opponent correction {3} trust region {4}")
  @CsvSource({
    "MPO, 1.0, 0.5, false, false",
    "MPO, 1.0, 0.5, true, false",
    "MPO, 1.0, 0.5, true, true",
    "MPO, 2.0, 0.1, true, false",
    "MPO, 2.0, 0.1, true, true",
    "FIXED_MAGNET, 0.5, 1.0, true, false",
    "OMD, 0.7, 0.3, true, false",
  })
  void shouldMinimizeToTheTabularMmdStepWithExactExpectations(
      LearnerAlgorithm algorithm, double eta, double alpha, boolean correction, boolean trust) {
    Engines.start();
    SplittableRandom rng = new SplittableRandom(42);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    double[][] p = new double[V][V];
    for (int i = 0; i < V; i++) {
      for (int j = i + 1; j < V; j++) {
        p[i][j] = rng.nextDouble();
      }
    }
    double[][] prefs = TrainingGroup.allPairs(p);
    // The win rates the step uses. Uncorrected: against the other responses of the group, each
    // drawn from mu (uniform). Corrected: each opponent j weighted by pi_t(j) / mu(j) = V pi_t(j),
    // so r estimates the win rate against pi_t.
    double[] r = new double[V];
    for (int i = 0; i < V; i++) {
      double s = 0;
      for (int j = 0; j < V; j++) {
        if (j != i) {
          s += (correction ? V * piT[j] : 1.0) * (prefs[i][j] - 0.5);
        }
      }
      r[i] = 0.5 + s / (V - 1);
    }
    // Every setting but the trust region's delta: one row per response, no clipping of weights
    // (c = 1000) or gradients, a constant learning rate.
    java.util.function.DoubleFunction<LearnerHyperparameters> withTrustRegion =
        delta ->
            LearnerHyperparameters.builder()
                .algorithm(algorithm)
                .eta(eta)
                .alpha(alpha)
                .magnetEvery(1)
                .publishEvery(1)
                .batchGroups(1)
                .learningRate(1e-3)
                .lrDecaySteps(0)
                .importanceClip(1000.0)
                .opponentCorrection(correction)
                .maxGradNorm(0.0)
                .maxLogRatio(delta)
                .adamBeta1(0.9)
                .build();
    LearnerHyperparameters hp = withTrustRegion.apply(0);

    // Reference: one tabular MMD step from pi_t with magnet rho and win rates r (constant oracle).
    double a = hp.effectiveAlpha();
    WinRateOracle constant =
        new WinRateOracle() {
          @Override
          public int size() {
            return V;
          }

          @Override
          public void winRates(double[] policy, double[] out) {
            System.arraycopy(r, 0, out, 0, V);
          }
        };
    MagneticMirrorDescent mmd =
        new MagneticMirrorDescent(
            constant,
            piT,
            rho,
            new TabularConfig(
                eta,
                a,
                new TabularConfig.MagnetSchedule.Never(),
                new TabularConfig.AlphaRule.Constant()));
    mmd.step();
    double[] expected = mmd.policy();
    if (trust) {
      // A trust region just wider than the exact step's largest log-ratio to pi_t leaves the
      // minimiser where it was.
      double largest = 0;
      for (int y = 0; y < V; y++) {
        largest = Math.max(largest, Math.abs(Math.log(expected[y] / piT[y])));
      }
      hp = withTrustRegion.apply(1.05 * largest);
    }
    double[] pi = LossFixtures.minimiseBandit(CONFIG, hp, piT, rho, prefs);
    // And the closed form, written out.
    double[] closed = new double[V];
    double z = 0;
    for (int y = 0; y < V; y++) {
      closed[y] =
          Math.pow(
              piT[y] * Math.pow(rho[y], eta * a) * Math.exp(eta * (r[y] - 0.5)), 1 / (1 + eta * a));
      z += closed[y];
    }
    for (int y = 0; y < V; y++) {
      closed[y] /= z;
      assertThat(expected[y]).isCloseTo(closed[y], org.assertj.core.api.Assertions.within(1e-12));
      assertThat(pi[y])
          .as("pi(%d) for %s", y, algorithm)
          .isCloseTo(expected[y], org.assertj.core.api.Assertions.within(1e-4));
    }
    // The step moved away from pi_t: the test is not trivially satisfied.
    double moved = 0;
    for (int y = 0; y < V; y++) {
      moved = Math.max(moved, Math.abs(expected[y] - piT[y]));
    }
    assertThat(moved).isGreaterThan(0.01);
  }
}
