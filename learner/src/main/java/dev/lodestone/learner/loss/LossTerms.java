package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lodestone.policy.Scalars;

/**
 * The terms the token-level losses share. Constants that autograd keeps for the backward pass go
 * through {@link Scalars}: they must be engine-owned (DJL's Number overloads wrap a buffer the
 * garbage collector may free first).
 */
final class LossTerms {
  private LossTerms() {}

  /**
   * Truncated per-token importance weights {@code w_k = min(pi_theta(y_k|s_k) / mu(y_k|s_k), c)},
   * detached, at response positions.
   *
   * @param w (R, T)
   * @param mean mean weight over response tokens
   * @param clippedFraction fraction of response tokens truncated at c
   */
  record Weights(NDArray w, double mean, double clippedFraction) {}

  static Weights importanceWeights(ScoredBatch s, double clip, ImportanceWeights kind) {
    NDArray logRatio = s.logpDetached().sub(s.logMu()).mul(s.mask()); // (R, T)
    if (kind == ImportanceWeights.SEQUENCE) {
      // every token of a row gets the row's sequence log-ratio: (R, T) -> (R, 1) -> (R, T)
      logRatio = logRatio.sum(new int[] {1}, true).mul(s.mask());
    }
    NDArray ratio = logRatio.exp().mul(s.mask()); // (R, T)
    NDArray w = ratio.minimum((float) clip).mul(s.mask()); // (R, T)
    double tokens = s.responseTokens();
    double clipped =
        ratio.gt((float) clip).toType(DataType.FLOAT32, false).mul(s.mask()).sum().getFloat();
    return new Weights(w, w.sum().getFloat() / tokens, clipped / tokens);
  }

  /** {@code - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)}: (R) x (R, T) -> scalar, with gradient. */
  static NDArray policyGradientTerm(ScoredBatch s, Advantages a, NDArray w) {
    int rows = s.input().rows();
    return a.values().reshape(rows, 1).mul(w).mul(s.logp()).mul(s.mask()).sum().neg();
  }

  /**
   * {@code sum_i sum_k KL(pi_theta(.|s_k) || q(.|s_k))} over response positions, exact over the
   * vocabulary: (R, T, V) -> (R, T) -> scalar.
   */
  static NDArray kl(ScoredBatch s, NDArray pi, NDArray logQ) {
    return pi.mul(s.logPi().sub(logQ)).sum(new int[] {2}).mul(s.mask()).sum();
  }

  /** {@code x / groups} through an engine-owned constant. */
  static NDArray perGroup(NDArray x, ScoredBatch s) {
    return Scalars.div(x, s.input().groups());
  }

  /**
   * The labelled pairs of the batch, each once: {@code mask[i][j] = 1} for rows i &lt; j of one
   * group that were compared, and {@code p[i][j]} their preference (0 elsewhere); both (R, R).
   */
  record Pairs(NDArray mask, NDArray p, int count) {}

  static Pairs labelledPairs(NDManager manager, LabelledBatch in) {
    int rows = in.rows();
    float[] mask = new float[rows * rows];
    float[] p = new float[rows * rows];
    int count = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = i + 1; j < rows; j++) {
        double x = in.preferences()[i][j];
        if (!Double.isNaN(x)) {
          mask[i * rows + j] = 1f;
          p[i * rows + j] = (float) x;
          count++;
        }
      }
    }
    return new Pairs(
        manager.create(mask, new Shape(rows, rows)),
        manager.create(p, new Shape(rows, rows)),
        count);
  }

  /** {@code x_i - x_j} for every pair of rows: (R) -> (R, R). */
  static NDArray differences(NDArray x) {
    long rows = x.getShape().get(0);
    return x.reshape(rows, 1).sub(x.reshape(1, rows));
  }

  /**
   * {@code log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|))}, stable for any x, with engine-owned
   * constants (elementwise).
   */
  static NDArray logSigmoid(NDArray x) {
    NDArray zero = Scalars.constant(x, 0.0);
    NDArray one = Scalars.constant(x, 1.0);
    return x.minimum(zero).sub(x.abs().neg().exp().add(one).log());
  }

  /** 1 for rows with at least one labelled opponent, else 0: (R), detached. */
  static NDArray comparedRows(NDManager manager, LabelledBatch in) {
    int rows = in.rows();
    float[] has = new float[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        if (!Double.isNaN(in.preferences()[i][j])) {
          has[i] = 1f;
          break;
        }
      }
    }
    return manager.create(has);
  }
}
