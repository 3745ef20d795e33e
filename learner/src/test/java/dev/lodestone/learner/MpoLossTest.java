package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.lodestone.learner.loss.ImportanceWeights;
import dev.lodestone.learner.loss.LabelledBatch;
import dev.lodestone.learner.loss.LossOutput;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.TokenBatch;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every term of the loss on a tiny model against values computed by hand from the three models'
 * distributions: advantages from the preferences, truncated importance weights (one token clipped),
 * exact KLs over the vocabulary, the total.
 */
class MpoLossTest {

  private static final ModelConfig CONFIG = new ModelConfig(8, 8, 2, 1, 16, 16, true, 1e-5);
  private static final int[] PROMPT = {CONFIG.bosId(), 1, 2, CONFIG.sepId()};
  private static final double C = 2.0;

  private static PolicyModel theta;
  private static PolicyModel previous;
  private static PolicyModel magnet;

  @BeforeAll
  static void models() {
    theta = PolicyModel.create(CONFIG, Device.cpu(), 1);
    previous = PolicyModel.create(CONFIG, Device.cpu(), 2);
    magnet = PolicyModel.create(CONFIG, Device.cpu(), 3);
  }

  @AfterAll
  static void close() {
    theta.close();
    previous.close();
    magnet.close();
  }

  /** Group 0: G = 2, p01 = 0.8. Group 1: G = 3, p01 = 0.8, p02 = 0.4, p12 = 0.5. */
  private static final int[][] RESPONSES = {{0, 5}, {3, 1}, {2, 2}, {1, 5}, {0, 0}};

  private static final int[] GROUP_OF = {0, 0, 1, 1, 1};

  /** The upper triangles of the two groups' preferences. */
  private static final double[][] GROUP0 = {{0, 0.8}, {0, 0}};

  private static final double[][] GROUP1 = {{0, 0.8, 0.4}, {0, 0, 0.5}, {0, 0, 0}};

  @Test
  void shouldComputeRewardsFromThePreferencesByHand() {
    assertThat(group(GROUP0).rewards()).containsExactly(new double[] {0.8, 0.2}, within(1e-15));
    // r0 = (0.8 + 0.4) / 2, r1 = (0.2 + 0.5) / 2, r2 = (0.6 + 0.5) / 2
    assertThat(group(GROUP1).rewards())
        .containsExactly(new double[] {0.6, 0.35, 0.55}, within(1e-15));
    assertThat(TrainingGroup.allPairs(GROUP1)[2][0]).isCloseTo(0.6, within(1e-15));
    assertThat(TrainingGroup.allPairs(GROUP1)[1][1]).isNaN();
  }

  private static TrainingGroup group(double[][] upper) {
    int g = upper.length;
    List<int[]> responses = java.util.Collections.nCopies(g, new int[] {1});
    List<float[]> logMu = java.util.Collections.nCopies(g, new float[] {0f});
    return new TrainingGroup(PROMPT, responses, logMu, TrainingGroup.allPairs(upper), 0);
  }

  @ParameterizedTest(name = "{0} eta {1} opponent correction {2} {3} weights")
  @CsvSource({
    "MPO, 0.5, false, TOKEN",
    "MPO, 0.5, true, TOKEN",
    "MPO, 0.5, true, SEQUENCE",
    "MPO_RT, 2.0, false, TOKEN",
    "MPO_RT, 2.0, true, TOKEN",
    "OMD, 1.0, false, TOKEN", // without a magnet
    "OMD, 1.0, true, TOKEN",
    "OMD, 1.0, true, SEQUENCE",
  })
  void shouldMatchHandComputedTerms(
      LearnerAlgorithm algorithm, double eta, boolean correction, ImportanceWeights weights) {
    check(hp(algorithm, eta, correction, 0, weights));
  }

  private static LearnerHyperparameters hp(
      LearnerAlgorithm algorithm, double eta, boolean correction, double maxLogRatio) {
    return hp(algorithm, eta, correction, maxLogRatio, ImportanceWeights.TOKEN);
  }

  /** alpha 0.3, reset and publication every step, 2 groups, c = C, no clipping, Adam 1e-3. */
  private static LearnerHyperparameters hp(
      LearnerAlgorithm algorithm,
      double eta,
      boolean correction,
      double maxLogRatio,
      ImportanceWeights weights) {
    return LearnerHyperparameters.builder()
        .importanceWeights(weights)
        .algorithm(algorithm)
        .eta(eta)
        .alpha(0.3)
        .magnetEvery(1)
        .publishEvery(1)
        .batchGroups(2)
        .learningRate(1e-3)
        .lrDecaySteps(0)
        .importanceClip(C)
        .opponentCorrection(correction)
        .maxGradNorm(0)
        .maxLogRatio(maxLogRatio)
        .adamBeta1(0.9)
        .build();
  }

  /** Rows dropped by the trust region in the last {@link #check}. */
  private int droppedRows;

  @ParameterizedTest(name = "{0} delta {1}")
  @CsvSource({"MPO, 0.05", "MPO, 0.1", "MPO_RT, 0.05"})
  void shouldDropRowsThatMovedBeyondTheTrustRegionByHand(LearnerAlgorithm algorithm, double delta) {
    check(hp(algorithm, 0.5, true, delta));
    // theta and pi_t are different random models: some rows are dropped, not all.
    assertThat(droppedRows).isBetween(1, RESPONSES.length - 1);
  }

  @Test
  void shouldGiveTheSameGradientWhenGarbageIsCollectedBeforeTheBackwardPass() throws Exception {
    // The loss's constants (1/eta, alpha, 1/groups) are kept by autograd for the backward pass;
    // a collection in between must not change them.
    LearnerHyperparameters hp = hp(LearnerAlgorithm.MPO, 0.5, true, 0);
    float[] plain = lossGradient(hp, false);
    float[] collected = lossGradient(hp, true);
    assertThat(plain).doesNotContain(Float.NaN);
    assertThat(collected).containsExactly(plain);
  }

  /** The gradient of the loss with respect to log pi, as a leaf array. */
  private float[] lossGradient(LearnerHyperparameters hp, boolean collect) throws Exception {
    List<PromptResponse> pairs =
        java.util.Arrays.stream(RESPONSES).map(r -> new PromptResponse(PROMPT, r)).toList();
    TokenBatch batch = TokenBatch.of(CONFIG, pairs);
    float[] logMu = new float[RESPONSES.length * batch.length()];
    LabelledBatch in = new LabelledBatch(batch, preferences(), GROUP_OF, 2, logMu);
    try (NDManager m = theta.newManager()) {
      NDArray logPi = theta.logProbs(m, batch, false).duplicate();
      logPi.setRequiresGradient(true);
      NDArray logPrev = previous.logProbs(m, batch, false);
      NDArray logRho = magnet.logProbs(m, batch, false);
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray total = LossFixtures.compute(m, in, logPi, logPrev, logRho, hp).total();
        if (collect) {
          for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
          }
        }
        gc.backward(total);
      }
      return logPi.getGradient().toFloatArray();
    }
  }

  /** Rows 0-1 are group 0, rows 2-4 group 1; preferences between rows of the same group only. */
  private static double[][] preferences() {
    double[][] prefs = new double[5][5];
    for (double[] row : prefs) {
      java.util.Arrays.fill(row, Double.NaN);
    }
    double[][] p0 = TrainingGroup.allPairs(GROUP0);
    double[][] p1 = TrainingGroup.allPairs(GROUP1);
    for (int i = 0; i < 2; i++) {
      System.arraycopy(p0[i], 0, prefs[i], 0, 2);
    }
    for (int i = 0; i < 3; i++) {
      System.arraycopy(p1[i], 0, prefs[2 + i], 2, 3);
    }
    return prefs;
  }

  private void check(LearnerHyperparameters hp) {
    double[][] prefs = preferences();
    List<PromptResponse> pairs =
        java.util.Arrays.stream(RESPONSES).map(r -> new PromptResponse(PROMPT, r)).toList();
    TokenBatch batch = TokenBatch.of(CONFIG, pairs);
    int rows = RESPONSES.length;
    int t = batch.length();
    int v = CONFIG.vocabSize();
    try (NDManager m = theta.newManager()) {
      float[] lpi = theta.logProbs(m, batch, false).toFloatArray();
      float[] lprev = previous.logProbs(m, batch, false).toFloatArray();
      float[] lrho = magnet.logProbs(m, batch, false).toFloatArray();
      // Behaviour log-probs: the first token of row 0 looks far less likely under mu (ratio e^1.5,
      // clipped at 2), every other token slightly more likely (ratio e^-0.3).
      float[] logMu = new float[rows * t];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < 2; k++) {
          int pos = batch.responseStart(r) + k;
          float lp = lpi[(r * t + pos) * v + RESPONSES[r][k]];
          logMu[r * t + pos] = (r == 0 && k == 0) ? lp - 1.5f : lp + 0.3f;
        }
      }
      LabelledBatch in = new LabelledBatch(batch, prefs, GROUP_OF, 2, logMu);
      NDArray a = m.create(lpi, new ai.djl.ndarray.types.Shape(rows, t, v));
      NDArray b = m.create(lprev, a.getShape());
      NDArray c = m.create(lrho, a.getShape());
      boolean omd = hp.algorithm() == LearnerAlgorithm.OMD;
      LossOutput res = LossFixtures.compute(m, in, a, b, omd ? null : c, hp);

      // By hand. Opponent weights v_j = min(pi_t(y_j) / mu(y_j), c) over the two tokens of row j.
      double[] opp = new double[rows];
      for (int r = 0; r < rows; r++) {
        double logRatio = 0;
        for (int k = 0; k < 2; k++) {
          int pos = batch.responseStart(r) + k;
          logRatio += lprev[(r * t + pos) * v + RESPONSES[r][k]] - logMu[r * t + pos];
        }
        opp[r] = hp.opponentCorrection() ? Math.min(Math.exp(logRatio), C) : 1.0;
      }
      // Corrected rewards 1/2 + mean_j v_j (p_ij - 1/2); without the correction r_i = mean_j p_ij.
      double[] rewards = new double[rows];
      for (int r = 0; r < rows; r++) {
        double s = 0;
        int n = 0;
        for (int j = 0; j < rows; j++) {
          if (!Double.isNaN(prefs[r][j])) {
            s += opp[j] * (prefs[r][j] - 0.5);
            n++;
          }
        }
        rewards[r] = 0.5 + s / n;
      }
      if (!hp.opponentCorrection()) {
        assertThat(rewards)
            .containsExactly(new double[] {0.8, 0.2, 0.6, 0.35, 0.55}, within(1e-12));
      } else {
        // The weights differ from 1 and one is truncated: the correction is not trivially 1.
        assertThat(opp).contains(C);
        assertThat(java.util.Arrays.stream(opp).filter(x -> Math.abs(x - 1) > 0.05).count())
            .isGreaterThanOrEqualTo(3);
      }
      double alpha = hp.effectiveAlpha();
      double[] adv = new double[rows];
      if (hp.algorithm() == LearnerAlgorithm.MPO_RT) {
        double[] shaped = new double[rows];
        for (int r = 0; r < rows; r++) {
          double logRatio = 0;
          for (int k = 0; k < 2; k++) {
            int idx = (r * t + batch.responseStart(r) + k) * v + RESPONSES[r][k];
            logRatio += lpi[idx] - lrho[idx];
          }
          shaped[r] = logRatio; // L_r
        }
        // The magnet's reward with a leave-one-out baseline: the mean L of the group's others.
        for (int r = 0; r < rows; r++) {
          double others = 0;
          int n = 0;
          for (int q = 0; q < rows; q++) {
            if (q != r && GROUP_OF[q] == GROUP_OF[r]) {
              others += shaped[q];
              n++;
            }
          }
          adv[r] = rewards[r] - 0.5 - alpha * (shaped[r] - others / n);
        }
      } else if (!hp.opponentCorrection()) {
        adv = new double[] {0.3, -0.3, 0.1, -0.15, 0.05};
      } else {
        for (int r = 0; r < rows; r++) {
          adv[r] = rewards[r] - 0.5;
        }
      }
      // Trust region: a row already beyond delta from pi_t in its advantage's direction drops out.
      int dropped = 0;
      if (hp.maxLogRatio() > 0) {
        for (int r = 0; r < rows; r++) {
          double moved = 0;
          for (int k = 0; k < 2; k++) {
            int idx = (r * t + batch.responseStart(r) + k) * v + RESPONSES[r][k];
            moved += lpi[idx] - lprev[idx];
          }
          if ((adv[r] > 0 && moved > hp.maxLogRatio())
              || (adv[r] < 0 && moved < -hp.maxLogRatio())) {
            adv[r] = 0;
            dropped++;
          }
        }
      }
      assertThat(res.trustRegionFraction()).isCloseTo((double) dropped / rows, within(1e-12));
      droppedRows = dropped;
      assertThat(res.advantages()).containsExactly(adv, within(1e-6));
      double policy = 0;
      double klPrev = 0;
      double klRho = 0;
      double wSum = 0;
      int clipped = 0;
      boolean sequence = hp.importanceWeights() == ImportanceWeights.SEQUENCE;
      for (int r = 0; r < rows; r++) {
        double sequenceLogRatio = 0; // sum_k log pi_theta - log mu over the row's tokens
        for (int k = 0; k < 2; k++) {
          int pos = batch.responseStart(r) + k;
          sequenceLogRatio += lpi[(r * t + pos) * v + RESPONSES[r][k]] - logMu[r * t + pos];
        }
        for (int k = 0; k < 2; k++) {
          int pos = batch.responseStart(r) + k;
          int base = (r * t + pos) * v;
          double lp = lpi[base + RESPONSES[r][k]];
          double ratio = sequence ? Math.exp(sequenceLogRatio) : Math.exp(lp - logMu[r * t + pos]);
          double w = Math.min(ratio, C);
          if (ratio > C) {
            clipped++;
          }
          wSum += w;
          policy += -adv[r] * w * lp;
          for (int y = 0; y < v; y++) {
            double p = Math.exp(lpi[base + y]);
            klPrev += p * (lpi[base + y] - lprev[base + y]);
            klRho += p * (lpi[base + y] - lrho[base + y]);
          }
        }
      }
      // Row 0's first token is clipped (e^1.5); with sequence weights its whole row (e^1.2).
      assertThat(clipped).isEqualTo(sequence ? 2 : 1);
      double tokens = 2.0 * rows;
      double total = policy + klPrev / hp.eta();
      if (hp.algorithm() == LearnerAlgorithm.MPO) {
        total += alpha * klRho;
      }
      total /= 2;
      assertThat(res.total().getFloat()).isCloseTo((float) total, within(1e-5f));
      assertThat(res.policy()).isCloseTo(policy / 2, within(1e-5));
      assertThat(res.klPrevious()).isCloseTo(klPrev / tokens, within(1e-5));
      if (omd) {
        assertThat(res.klMagnet()).isNaN();
      } else {
        assertThat(res.klMagnet()).isCloseTo(klRho / tokens, within(1e-5));
      }
      assertThat(res.meanWeight()).isCloseTo(wSum / tokens, within(1e-5));
      assertThat(res.clippedFraction()).isCloseTo(clipped / tokens, within(1e-9));
      assertThat(res.rewardMean()).isCloseTo(2.5 / 5, within(1e-12));
      assertThat(res.meanOpponentWeight())
          .isCloseTo(java.util.Arrays.stream(opp).average().orElseThrow(), within(1e-5));
      assertThat(klPrev).isGreaterThan(0.01); // different models: the KL terms are not trivially 0
    }
  }
}
