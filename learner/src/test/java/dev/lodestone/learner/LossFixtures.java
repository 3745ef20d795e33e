package dev.lodestone.learner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lodestone.learner.loss.LabelledBatch;
import dev.lodestone.learner.loss.LossOutput;
import dev.lodestone.learner.loss.ScoredBatch;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.TokenBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers of the loss tests: random policies, conversions, and a loss on scored arrays. */
final class LossFixtures {
  private LossFixtures() {}

  /** A random policy over {@code n} actions, every probability at least about 0.2 / n. */
  static double[] randomPolicy(SplittableRandom rng, int n) {
    double[] p = new double[n];
    double s = 0;
    for (int i = 0; i < n; i++) {
      p[i] = 0.2 + rng.nextDouble();
      s += p[i];
    }
    for (int i = 0; i < n; i++) {
      p[i] /= s;
    }
    return p;
  }

  static double[] log(double[] p) {
    double[] l = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      l[i] = Math.log(p[i]);
    }
    return l;
  }

  static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = (float) a[i];
    }
    return f;
  }

  /** The algorithm's loss of {@code hp} on a batch scored by the three log-probability arrays. */
  static LossOutput compute(
      NDManager m,
      LabelledBatch in,
      NDArray logPi,
      NDArray logPrevious,
      NDArray logMagnet,
      LearnerHyperparameters hp) {
    return compute(m, in, logPi, logPrevious, logMagnet, null, hp);
  }

  /** {@link #compute} with the extra policy's log-probabilities of the rows' tokens (or null). */
  static LossOutput compute(
      NDManager m,
      LabelledBatch in,
      NDArray logPi,
      NDArray logPrevious,
      NDArray logMagnet,
      NDArray logExtraTarget,
      LearnerHyperparameters hp) {
    return hp.algorithm()
        .loss(hp)
        .compute(m, ScoredBatch.of(m, in, logPi, logPrevious, logMagnet, logExtraTarget));
  }

  /**
   * The minimiser of the algorithm's loss in a one-token bandit with exact expectations: one group
   * whose responses are every token of the vocabulary, drawn (as far as the loss knows) from the
   * uniform behaviour policy, with the preferences {@code prefs} between them; gradient descent on
   * free logits z of pi = softmax(z), from z = log pi_t.
   */
  static double[] minimiseBandit(
      ModelConfig config, LearnerHyperparameters hp, double[] piT, double[] rho, double[][] prefs) {
    return minimiseBandit(config, hp, piT, rho, prefs, 0.2, 4000);
  }

  /** {@link #minimiseBandit} with a learning rate and a most number of iterations. */
  static double[] minimiseBandit(
      ModelConfig config,
      LearnerHyperparameters hp,
      double[] piT,
      double[] rho,
      double[][] prefs,
      double lr,
      int iterations) {
    return minimiseBandit(config, hp, piT, rho, null, prefs, lr, iterations);
  }

  /**
   * {@link #minimiseBandit} with the loss's extra policy {@code extra} (pi_{t-1}, or the
   * extrapolated point; null: none).
   */
  static double[] minimiseBandit(
      ModelConfig config,
      LearnerHyperparameters hp,
      double[] piT,
      double[] rho,
      double[] extra,
      double[][] prefs,
      double lr,
      int iterations) {
    int n = config.vocabSize();
    List<PromptResponse> pairs = new ArrayList<>();
    for (int y = 0; y < n; y++) {
      pairs.add(new PromptResponse(new int[] {config.bosId()}, new int[] {y}));
    }
    TokenBatch batch = TokenBatch.of(config, pairs);
    assertThat(batch.length()).isEqualTo(1);
    float[] logMu = new float[n];
    java.util.Arrays.fill(logMu, (float) -Math.log(n));
    int[] groupOf = new int[n];
    LabelledBatch in = new LabelledBatch(batch, prefs, groupOf, 1, logMu);
    double[] z = new double[n];
    for (int y = 0; y < n; y++) {
      z[y] = Math.log(piT[y]);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int it = 0; it < iterations; it++) {
        try (NDManager m = manager.newSubManager()) {
          NDArray zArr = m.create(toFloat(z));
          zArr.setRequiresGradient(true);
          NDArray prev = m.create(toFloat(log(piT))).reshape(1, 1, n).broadcast(new Shape(n, 1, n));
          NDArray mag = m.create(toFloat(log(rho))).reshape(1, 1, n).broadcast(new Shape(n, 1, n));
          NDArray logExtra = extra == null ? null : m.create(toFloat(log(extra))).reshape(n, 1);
          try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray logPi = zArr.logSoftmax(0).reshape(1, 1, n).broadcast(new Shape(n, 1, n));
            LossOutput res =
                compute(
                    m,
                    in,
                    logPi,
                    prev,
                    hp.algorithm().loss(hp).usesMagnet() ? mag : null,
                    logExtra,
                    hp);
            gc.backward(res.total());
          }
          float[] g = zArr.getGradient().toFloatArray();
          double largest = 0;
          for (int y = 0; y < n; y++) {
            z[y] -= lr * g[y];
            largest = Math.max(largest, Math.abs(g[y]));
          }
          if (largest < 1e-6) {
            break; // converged: a gradient this small puts pi within ~1e-6 of the minimiser
          }
        }
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double s = 0;
    double[] pi = new double[n];
    for (int y = 0; y < n; y++) {
      pi[y] = Math.exp(z[y] - max);
      s += pi[y];
    }
    for (int y = 0; y < n; y++) {
      pi[y] /= s;
    }
    return pi;
  }
}
