package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The peers' token-level losses in a one-token bandit with exact expectations (every token of the
 * vocabulary one response of one group, drawn, as far as the loss knows, from the uniform behaviour
 * policy mu = 1/n): each loss's minimiser is its paper's update, written out here.
 */
class PeerLossBanditTest {
  private static final int V = 6;
  private static final ModelConfig CONFIG = new ModelConfig(V, 8, 1, 1, 4, 16, true, 1e-5);

  @BeforeAll
  static void engine() {
    Engines.start();
  }

  private static LearnerHyperparameters hp(LearnerAlgorithm algorithm, double eta, double alpha) {
    return LearnerHyperparameters.builder()
        .algorithm(algorithm)
        .eta(eta)
        .alpha(alpha)
        .publishEvery(1)
        .batchGroups(1)
        .learningRate(1e-3)
        .lrDecaySteps(0)
        .importanceClip(1000.0)
        .opponentCorrection(true)
        .maxGradNorm(0.0)
        .maxLogRatio(0.0)
        .build();
  }

  /** Random preferences between the V responses, both orientations. */
  private static double[][] randomPreferences(SplittableRandom rng) {
    double[][] p = new double[V][V];
    for (int i = 0; i < V; i++) {
      for (int j = i + 1; j < V; j++) {
        p[i][j] = rng.nextDouble();
      }
    }
    return TrainingGroup.allPairs(p);
  }

  /** A_i = (1/(V-1)) sum_{j != i} V q_j (p_ij - 1/2): the advantage against q from the group. */
  private static double[] advantageAgainst(double[] q, double[][] prefs) {
    double[] a = new double[V];
    for (int i = 0; i < V; i++) {
      for (int j = 0; j < V; j++) {
        if (j != i) {
          a[i] += V * q[j] * (prefs[i][j] - 0.5);
        }
      }
      a[i] /= V - 1;
    }
    return a;
  }

  private static double[] normalised(double[] w) {
    double s = 0;
    for (double x : w) {
      s += x;
    }
    double[] p = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      p[i] = w[i] / s;
    }
    return p;
  }

  private static void assertClose(double[] got, double[] expected, double[] from) {
    double moved = 0;
    for (int y = 0; y < V; y++) {
      assertThat(got[y]).as("pi(%d)", y).isCloseTo(expected[y], within(2e-4));
      moved = Math.max(moved, Math.abs(expected[y] - from[y]));
    }
    assertThat(moved).as("the update moves the policy").isGreaterThan(0.01);
  }

  @Test
  void nashMdShouldStepFromTheGeometricMixtureAgainstIt() {
    SplittableRandom rng = new SplittableRandom(1);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    double[][] prefs = randomPreferences(rng);
    double eta = 1.5;
    double tau = 0.4;
    double beta = eta * tau;
    double[] mix = new double[V];
    for (int y = 0; y < V; y++) {
      mix[y] = Math.pow(piT[y], 1 - beta) * Math.pow(rho[y], beta);
    }
    mix = normalised(mix);
    double[] a = advantageAgainst(mix, prefs);
    double[] expected = new double[V];
    for (int y = 0; y < V; y++) {
      expected[y] = mix[y] * Math.exp(eta * a[y]);
    }
    expected = normalised(expected);
    double[] pi =
        LossFixtures.minimiseBandit(
            CONFIG, hp(LearnerAlgorithm.NASH_MD, eta, tau), piT, rho, prefs);
    assertClose(pi, expected, piT);
  }

  @Test
  void sppoShouldFitTheLogRatioToTheScaledWinRate() {
    SplittableRandom rng = new SplittableRandom(2);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[][] prefs = randomPreferences(rng);
    double eta = 2.0;
    double[] target = advantageAgainst(piT, prefs); // P(y beats pi_t) - 1/2
    // The SPPO objective over the vocabulary, each row weighted by pi_t / mu = V pi_t, minimised
    // over free logits in double precision: sum_y V pi_t(y) (log pi(y) - log pi_t(y) - eta A(y))^2
    double[] z = LossFixtures.log(piT);
    for (int it = 0; it < 200_000; it++) {
      double[] pi = softmax(z);
      double[] r = new double[V];
      double weighted = 0;
      for (int y = 0; y < V; y++) {
        r[y] = Math.log(pi[y]) - Math.log(piT[y]) - eta * target[y];
        weighted += V * piT[y] * r[y];
      }
      double largest = 0;
      for (int k = 0; k < V; k++) {
        double g = 2 * V * piT[k] * r[k] - 2 * pi[k] * weighted;
        z[k] -= 0.02 * g;
        largest = Math.max(largest, Math.abs(g));
      }
      if (largest < 1e-12) {
        break;
      }
    }
    double[] expected = softmax(z);
    double[] pi =
        LossFixtures.minimiseBandit(
            CONFIG, hp(LearnerAlgorithm.SPPO, eta, 0.0), piT, piT, prefs, 0.05, 20_000);
    assertClose(pi, expected, piT);
  }

  @Test
  void onlineDpoShouldRecoverBradleyTerryScoresOverTheReference() {
    SplittableRandom rng = new SplittableRandom(3);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    double[] s = new double[V];
    for (int y = 0; y < V; y++) {
      s[y] = rng.nextDouble() * 2 - 1;
    }
    double[][] p = new double[V][V];
    for (int i = 0; i < V; i++) {
      for (int j = i + 1; j < V; j++) {
        p[i][j] = 1 / (1 + Math.exp(-(s[i] - s[j])));
      }
    }
    double beta = 0.5;
    double[] expected = new double[V];
    for (int y = 0; y < V; y++) {
      expected[y] = rho[y] * Math.exp(s[y] / beta);
    }
    expected = normalised(expected);
    double[] pi =
        LossFixtures.minimiseBandit(
            CONFIG,
            hp(LearnerAlgorithm.ONLINE_DPO, 1.0, beta),
            piT,
            rho,
            TrainingGroup.allPairs(p),
            0.5,
            20_000);
    assertClose(pi, expected, piT);
  }

  @Test
  void onlineIpoShouldReachTheIpoSolutionAgainstUniformOpponents() {
    SplittableRandom rng = new SplittableRandom(4);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    double[][] prefs = randomPreferences(rng);
    double tau = 0.5;
    double[] expected = new double[V];
    for (int y = 0; y < V; y++) {
      double b = 0;
      for (int j = 0; j < V; j++) {
        if (j != y) {
          b += prefs[y][j] - 0.5;
        }
      }
      expected[y] = rho[y] * Math.exp(b / (V * tau));
    }
    expected = normalised(expected);
    double[] pi =
        LossFixtures.minimiseBandit(
            CONFIG, hp(LearnerAlgorithm.ONLINE_IPO, 1.0, tau), piT, rho, prefs, 0.02, 20_000);
    assertClose(pi, expected, piT);
  }

  @Test
  void onpoShouldStepFromPiTWithTheOptimisticAdvantage() {
    SplittableRandom rng = new SplittableRandom(5);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[] piBefore = LossFixtures.randomPolicy(rng, V); // pi_{t-1}
    double[][] prefs = randomPreferences(rng);
    double eta = 1.5;
    double[] now = advantageAgainst(piT, prefs);
    double[] before = advantageAgainst(piBefore, prefs);
    double[] expected = new double[V];
    for (int y = 0; y < V; y++) {
      expected[y] = piT[y] * Math.exp(eta * (2 * now[y] - before[y]));
    }
    expected = normalised(expected);
    double[] pi =
        LossFixtures.minimiseBandit(
            CONFIG, hp(LearnerAlgorithm.ONPO, eta, 0.0), piT, piT, piBefore, prefs, 0.2, 4000);
    assertClose(pi, expected, piT);
    // Without the optimism (pi_{t-1} = pi_t) the step is OMD's.
    double[] omd = new double[V];
    for (int y = 0; y < V; y++) {
      omd[y] = piT[y] * Math.exp(eta * now[y]);
    }
    double[] plain =
        LossFixtures.minimiseBandit(
            CONFIG, hp(LearnerAlgorithm.ONPO, eta, 0.0), piT, piT, piT, prefs, 0.2, 4000);
    assertClose(plain, normalised(omd), piT);
  }

  @Test
  void egpoShouldReachTheIpoSolutionAgainstTheExtrapolatedPolicy() {
    SplittableRandom rng = new SplittableRandom(6);
    double[] piT = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    double[] q = LossFixtures.randomPolicy(rng, V); // the extrapolated point's policy
    double[][] prefs = randomPreferences(rng);
    double tau = 0.5;
    // Pairs weighted as samples of q x q: log pi/rho = (P(y beats q) - 1/2) / tau + const.
    double[] expected = new double[V];
    for (int y = 0; y < V; y++) {
      double b = 0;
      for (int j = 0; j < V; j++) {
        if (j != y) {
          b += q[j] * (prefs[y][j] - 0.5);
        }
      }
      expected[y] = rho[y] * Math.exp(b / tau);
    }
    expected = normalised(expected);
    double[] pi =
        LossFixtures.minimiseBandit(
            CONFIG, hp(LearnerAlgorithm.EGPO, 1.0, tau), piT, rho, q, prefs, 0.02, 20_000);
    assertClose(pi, expected, piT);
  }

  @Test
  void shouldRefuseSettingsOutsideEachPapersRange() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> hp(LearnerAlgorithm.NASH_MD, 2.0, 0.6))
        .hasMessageContaining("must not exceed 1");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> hp(LearnerAlgorithm.ONLINE_DPO, 1.0, 0.0))
        .hasMessageContaining("online-dpo needs a positive alpha");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> hp(LearnerAlgorithm.EGPO, 1.0, 0.0))
        .hasMessageContaining("egpo needs a positive alpha");
  }

  private static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : z) {
      max = Math.max(max, x);
    }
    double[] e = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp(z[i] - max);
    }
    return normalised(e);
  }
}
