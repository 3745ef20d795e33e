package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
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

  static Weights importanceWeights(ScoredBatch s, double clip) {
    NDArray ratio = s.logpDetached().sub(s.logMu()).exp().mul(s.mask()); // (R, T)
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
}
