package dev.lodestone.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdamOptimizerTest {

  private static final ByteTokenizer TOK = ByteTokenizer.standard();

  private static TokenBatch batch(ModelConfig cfg, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<PromptResponse> pairs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 6; k++) {
        sb.append((char) ('a' + rng.nextInt(26)));
      }
      pairs.add(
          new PromptResponse(TOK.encodePrompt("q" + i), TOK.encodeResponse(sb.toString(), true)));
    }
    return TokenBatch.of(cfg, pairs);
  }

  private static NDArray nll(PolicyModel m, NDManager nd, TokenBatch b) {
    NDArray lp = b.targetLogProbs(m.logProbs(nd, b, true)); // (B, T)
    return Scalars.div(lp.mul(b.responseMask(nd)).sum().neg(), b.responseTokenCount());
  }

  @Test
  void twoStepsMatchTheAdamEquationsComputedByHand() {
    AdamConfig cfg = new AdamConfig(0.01, 0.9, 0.99, 1e-8);
    try (PolicyModel m = TestModels.create(TestModels.small(), 2);
        AdamOptimizer opt = new AdamOptimizer(m, cfg)) {
      Parameter p = m.parameters().get("final_gamma");
      double[] mean = new double[p.getArray().toFloatArray().length];
      double[] var = new double[mean.length];
      for (int t = 1; t <= 2; t++) {
        TokenBatch b = batch(m.config(), t);
        float[] w0 = p.getArray().toFloatArray();
        try (NDManager nd = m.newManager();
            GradientCollector gc = opt.newGradientCollector()) {
          gc.backward(nll(m, nd, b));
        }
        float[] g = p.getArray().getGradient().toFloatArray();
        StepResult r = opt.step(0);
        assertThat(r.applied()).isTrue();
        assertThat(r.clipped()).isFalse();
        assertThat(r.step()).isEqualTo(t);
        float[] w1 = p.getArray().toFloatArray();
        double corr =
            cfg.learningRate() * Math.sqrt(1 - Math.pow(0.99, t)) / (1 - Math.pow(0.9, t));
        for (int i = 0; i < w0.length; i++) {
          mean[i] = 0.9 * mean[i] + 0.1 * g[i];
          var[i] = 0.99 * var[i] + 0.01 * g[i] * g[i];
          double expected = w0[i] - corr * mean[i] / (Math.sqrt(var[i]) + 1e-8);
          assertThat((double) w1[i]).isCloseTo(expected, within(1e-6));
        }
        // The update zeroed the gradients.
        assertThat(opt.gradientNorm()).isZero();
      }
    }
  }

  @Test
  void aLearningRateGivenToTheStepReplacesTheConfiguredOne() {
    ModelConfig cfg = TestModels.small();
    String[] sha = new String[2];
    double[] configured = {0.01, 0.5};
    for (int run = 0; run < 2; run++) {
      try (PolicyModel m = TestModels.create(cfg, 4);
          AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(configured[run]))) {
        for (int s = 0; s < 3; s++) {
          TokenBatch b = batch(cfg, s);
          if (run == 0) {
            opt.train(nd -> nll(m, nd, b), 1.0);
          } else {
            opt.train(nd -> nll(m, nd, b), 1.0, 0.01);
          }
        }
        sha[run] = m.sha256();
      }
    }
    assertThat(sha[1]).isEqualTo(sha[0]);
    try (PolicyModel m = TestModels.create(cfg, 4);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(0.01))) {
      assertThatThrownBy(() -> opt.step(1.0, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("learningRate must be positive and finite, got 0.0");
    }
  }

  @Test
  void resumingFromSavedWeightsAndStateIsBitIdentical() {
    ModelConfig cfg = TestModels.small();
    String straight;
    byte[] weightsAt3 = null;
    byte[] stateAt3 = null;
    try (PolicyModel m = TestModels.create(cfg, 5);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(3e-3))) {
      for (int s = 0; s < 6; s++) {
        TokenBatch b = batch(cfg, s);
        opt.train(nd -> nll(m, nd, b), 1.0);
        if (s == 2) {
          weightsAt3 = m.toBytes();
          stateAt3 = opt.stateBytes();
        }
      }
      straight = m.sha256();
    }
    // "Crash" after step 3: a new process would load weights and optimizer state and go on.
    try (PolicyModel m = PolicyModel.fromBytes(weightsAt3, TestModels.cpu());
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(3e-3))) {
      opt.loadState(stateAt3);
      assertThat(opt.stepCount()).isEqualTo(3);
      assertThat(opt.stateBytes()).isEqualTo(stateAt3);
      for (int s = 3; s < 6; s++) {
        TokenBatch b = batch(cfg, s);
        opt.train(nd -> nll(m, nd, b), 1.0);
      }
      assertThat(m.sha256()).isEqualTo(straight);
    }
  }

  @Test
  void sameSeedGivesBitIdenticalTrainedWeights() {
    ModelConfig cfg = TestModels.small();
    String[] sha = new String[2];
    for (int run = 0; run < 2; run++) {
      try (PolicyModel m = TestModels.create(cfg, 11);
          AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(3e-3))) {
        double first = Double.NaN;
        double last = Double.NaN;
        TokenBatch b = batch(cfg, 99);
        for (int s = 0; s < 8; s++) {
          last = opt.train(nd -> nll(m, nd, b), 1.0).loss();
          if (s == 0) {
            first = last;
          }
        }
        assertThat(last).as("training lowers the loss").isLessThan(first);
        sha[run] = m.sha256();
      }
    }
    assertThat(sha[0]).isEqualTo(sha[1]);
  }

  @Test
  void clipsToTheMaximumGlobalNorm() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 1);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-3))) {
      TokenBatch b = batch(m.config(), 1);
      try (NDManager nd = m.newManager();
          GradientCollector gc = opt.newGradientCollector()) {
        gc.backward(nll(m, nd, b));
      }
      double norm = opt.gradientNorm();
      assertThat(norm).isPositive();
      // Independent norm from the host copies of the gradients.
      double sq = 0;
      for (Parameter p : m.parameters().values()) {
        for (float g : p.getArray().getGradient().toFloatArray()) {
          sq += (double) g * g;
        }
      }
      assertThat(norm).isCloseTo(Math.sqrt(sq), within(1e-4 * norm));
      StepResult r = opt.step(norm / 10);
      assertThat(r.clipped()).isTrue();
      assertThat(r.gradNorm()).isCloseTo(norm, within(1e-6 * norm));
    }
  }

  @Test
  void nonFiniteLossOrGradientSkipsTheStepAndLeavesWeightsUnchanged() {
    try (PolicyModel m = TestModels.create(TestModels.small(), 1);
        AdamOptimizer opt = new AdamOptimizer(m, AdamConfig.of(1e-3))) {
      TokenBatch b = batch(m.config(), 1);
      String before = m.sha256();
      StepResult nanLoss = opt.train(nd -> Scalars.mul(nll(m, nd, b), Float.NaN), 1.0);
      assertThat(nanLoss.applied()).isFalse();
      assertThat(nanLoss.loss()).isNaN();
      // A finite loss whose gradient is not finite: multiply by a huge factor so that the
      // gradients overflow to infinity.
      try (NDManager nd = m.newManager();
          GradientCollector gc = opt.newGradientCollector()) {
        gc.backward(Scalars.mul(Scalars.mul(nll(m, nd, b), Float.MAX_VALUE), Float.MAX_VALUE));
      }
      assertThat(opt.gradientNorm()).isNaN().as("non-finite");
      StepResult skipped = opt.step(1.0);
      assertThat(skipped.applied()).isFalse();
      assertThat(skipped.step()).isZero();
      assertThat(m.sha256()).isEqualTo(before);
      assertThat(opt.gradientNorm()).isZero();
      // The next good step works.
      assertThat(opt.train(nd -> nll(m, nd, b), 1.0).applied()).isTrue();
      assertThat(m.sha256()).isNotEqualTo(before);
    }
  }

  @Test
  void refusesAStateOfAnotherModel() {
    try (PolicyModel small = TestModels.create(TestModels.small(), 1);
        PolicyModel deeper = TestModels.create(TestModels.small().withLayers(3), 1);
        AdamOptimizer a = new AdamOptimizer(small, AdamConfig.of(1e-3));
        AdamOptimizer b = new AdamOptimizer(deeper, AdamConfig.of(1e-3))) {
      assertThatThrownBy(() -> a.loadState(b.stateBytes()))
          .hasMessageContaining("optimizer state has");
      assertThatThrownBy(() -> a.loadState(new byte[] {1, 2, 3}))
          .isInstanceOf(IllegalArgumentException.class);
      Map<String, Parameter> ps = small.parameters();
      assertThat(ps).containsKey("token_embedding");
    }
  }

  @Test
  void validatesItsConfig() {
    assertThatThrownBy(() -> new AdamConfig(0, 0.9, 0.999, 1e-8))
        .hasMessage("learningRate must be positive and finite, got 0.0");
    assertThatThrownBy(() -> new AdamConfig(1e-3, 1.0, 0.999, 1e-8))
        .hasMessage("beta1 must be in [0, 1), got 1.0");
  }
}
