package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lodestone.learner.loss.LabelledBatch;
import dev.lodestone.learner.loss.ScoredBatch;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.TokenBatch;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The expected gradient of a loss over groups of G = 2 responses sampled from the policy, as the
 * sampler draws them, computed exactly: the gradient of every ordered pair of one-token responses
 * {@code (a, b)}, weighted by {@code pi(a) pi(b)}. On-policy ({@code mu = pi_t = pi_theta}) the
 * proximal term has no gradient, so what is left is the preference part and the magnet part.
 *
 * <p>The magnet part of any algorithm should be {@code G alpha grad KL(pi || rho)} (the loss sums
 * over the G responses of a group). The measured effective alpha is the projection of the expected
 * gradient on {@code G grad KL}. A baseline that includes the response itself, like a group mean,
 * scales it by {@code (G - 1) / G}: half of alpha at G = 2. An enumeration of the vocabulary as one
 * group ({@link MpoLossBanditTest}) cannot see that, because there every baseline is a constant.
 */
class SampledGroupGradientTest {

  private static final int V = 5;
  private static final ModelConfig CONFIG = new ModelConfig(V, 8, 1, 1, 4, 16, true, 1e-5);

  @ParameterizedTest(name = "{0} alpha {1} opponent correction {2}")
  @CsvSource({
    "MPO, 0.5, true",
    "MPO_RT, 0.5, true",
    "MPO_RT, 0.5, false",
    "MPO_RT, 0.1, true",
    "FIXED_MAGNET, 0.3, true"
  })
  void shouldApplyTheWholeMagnetOnSampledPairs(
      LearnerAlgorithm algorithm, double alpha, boolean correction) {
    Engines.start();
    SplittableRandom rng = new SplittableRandom(7);
    double[] pi = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    // No preference signal: every pair ties, so every advantage of the game is 0.
    double[][] ties = new double[V][V];
    for (double[] row : ties) {
      java.util.Arrays.fill(row, 0.5);
    }
    double[] g = expectedGradient(hp(algorithm, alpha, correction), pi, rho, ties);
    double[] klGrad = klGradient(pi, rho);
    double dot = 0;
    double norm = 0;
    for (int y = 0; y < V; y++) {
      dot += g[y] * klGrad[y];
      norm += klGrad[y] * klGrad[y];
    }
    double effectiveAlpha = dot / (2 * norm);
    assertThat(effectiveAlpha)
        .as("effective alpha of %s", algorithm)
        .isCloseTo(alpha, within(1e-4));
    // And the whole gradient is the magnet's, not only its projection.
    for (int y = 0; y < V; y++) {
      assertThat(g[y]).isCloseTo(2 * alpha * klGrad[y], within(1e-5));
    }
  }

  @ParameterizedTest(name = "alpha {0} opponent correction {1}")
  @CsvSource({"0.5, true", "0.5, false", "0.1, true"})
  void shouldGiveMpoRtTheExpectedGradientOfMpo(double alpha, boolean correction) {
    Engines.start();
    SplittableRandom rng = new SplittableRandom(11);
    double[] pi = LossFixtures.randomPolicy(rng, V);
    double[] rho = LossFixtures.randomPolicy(rng, V);
    double[][] p = new double[V][V];
    for (int i = 0; i < V; i++) {
      p[i][i] = 0.5;
      for (int j = i + 1; j < V; j++) {
        p[i][j] = rng.nextDouble();
        p[j][i] = 1 - p[i][j];
      }
    }
    double[] mpo = expectedGradient(hp(LearnerAlgorithm.MPO, alpha, correction), pi, rho, p);
    double[] rt = expectedGradient(hp(LearnerAlgorithm.MPO_RT, alpha, correction), pi, rho, p);
    double largest = 0;
    for (int y = 0; y < V; y++) {
      assertThat(rt[y]).as("d/dz_%d", y).isCloseTo(mpo[y], within(1e-5));
      largest = Math.max(largest, Math.abs(mpo[y]));
    }
    assertThat(largest).as("a gradient to compare").isGreaterThan(1e-3);
  }

  private static LearnerHyperparameters hp(
      LearnerAlgorithm algorithm, double alpha, boolean correction) {
    return LearnerHyperparameters.builder()
        .algorithm(algorithm)
        .eta(1.0)
        .alpha(alpha)
        .magnetEvery(1)
        .publishEvery(1)
        .batchGroups(1)
        .learningRate(1e-3)
        .lrDecaySteps(0)
        .importanceClip(1000.0)
        .opponentCorrection(correction)
        .maxGradNorm(0.0)
        .maxLogRatio(0.0)
        .adamBeta1(0.9)
        .build();
  }

  /**
   * {@code sum_{a, b} pi(a) pi(b) grad_z L({a, b})} at {@code pi_theta = pi_t = mu = pi}, where
   * {@code pi = softmax(z)} and {@code L} is the loss of one group of the two responses.
   */
  private static double[] expectedGradient(
      LearnerHyperparameters hp, double[] pi, double[] rho, double[][] p) {
    double[] total = new double[V];
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int a = 0; a < V; a++) {
        for (int b = 0; b < V; b++) {
          try (NDManager m = manager.newSubManager()) {
            TokenBatch batch =
                TokenBatch.of(
                    CONFIG,
                    List.of(
                        new PromptResponse(new int[] {CONFIG.bosId()}, new int[] {a}),
                        new PromptResponse(new int[] {CONFIG.bosId()}, new int[] {b})));
            double[][] prefs = {{Double.NaN, p[a][b]}, {p[b][a], Double.NaN}};
            float[] logMu = {(float) Math.log(pi[a]), (float) Math.log(pi[b])};
            LabelledBatch in = new LabelledBatch(batch, prefs, new int[] {0, 0}, 1, logMu);
            NDArray z = m.create(LossFixtures.toFloat(LossFixtures.log(pi)));
            z.setRequiresGradient(true);
            NDArray prev =
                m.create(LossFixtures.toFloat(LossFixtures.log(pi)))
                    .reshape(1, 1, V)
                    .broadcast(new Shape(2, 1, V));
            NDArray mag =
                m.create(LossFixtures.toFloat(LossFixtures.log(rho)))
                    .reshape(1, 1, V)
                    .broadcast(new Shape(2, 1, V));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
              NDArray logPi = z.logSoftmax(0).reshape(1, 1, V).broadcast(new Shape(2, 1, V));
              NDArray total1 =
                  hp.algorithm()
                      .loss(hp)
                      .compute(m, ScoredBatch.of(m, in, logPi, prev, mag))
                      .total();
              gc.backward(total1);
            }
            float[] g = z.getGradient().toFloatArray();
            for (int y = 0; y < V; y++) {
              total[y] += pi[a] * pi[b] * g[y];
            }
          }
        }
      }
    }
    return total;
  }

  /** {@code grad_z KL(softmax(z) || rho)} at {@code softmax(z) = pi}, by hand. */
  private static double[] klGradient(double[] pi, double[] rho) {
    double kl = 0;
    for (int y = 0; y < V; y++) {
      kl += pi[y] * Math.log(pi[y] / rho[y]);
    }
    double[] g = new double[V];
    for (int y = 0; y < V; y++) {
      g[y] = pi[y] * (Math.log(pi[y] / rho[y]) - kl);
    }
    return g;
  }
}
