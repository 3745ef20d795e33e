package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Optimistic online mirror descent at token level (ONPO, Zhang et al., "Improving LLM General
 * Preference Alignment via Optimistic Online Mirror Descent", arXiv 2502.16852): the mirror-descent
 * step from pi_t with the last advantage counted twice and the one before subtracted,
 *
 * <pre>
 *   A^opt_i = 2 A_t(y_i) - A_{t-1}(y_i)
 *   A_t(y_i)     = mean_j v_j (p_ij - 1/2),  v_j = min(exp(sum_k log pi_t(y_jk|s_jk)     - log mu(y_jk|s_jk)), c)
 *   A_{t-1}(y_i) = mean_j u_j (p_ij - 1/2),  u_j = min(exp(sum_k log pi_{t-1}(y_jk|s_jk) - log mu(y_jk|s_jk)), c)
 *   L = (1/B) sum_groups [ - sum_i sum_k A^opt_i w_k log pi_theta(y_k|s_k)
 *                          + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k)) ]
 * </pre>
 *
 * whose minimiser in a one-token bandit with exact expectations is {@code pi_{t+1} ~ pi_t exp(eta
 * (2 P(y beats pi_t) - P(y beats pi_{t-1})))}, the single-sequence form of optimistic mirror
 * descent ({@code pi'_{t+1} ~ pi'_t exp(eta r_t)}, {@code pi_{t+1} ~ pi'_{t+1} exp(eta r_t)}). The
 * previous advantage is kept as the policy it was measured against: the learner keeps pi_{t-1}
 * ({@link ExtraPolicy#OLDER_ITERATE}) and re-estimates its advantage on each batch, from the same
 * labels, by opponent weights; at version 0 pi_{-1} = pi_0, so the first step is plain mirror
 * descent. Both advantages are estimated with their opponent weights whatever the
 * opponent-correction setting (without them the two estimates coincide and ONPO is OMD). No magnet;
 * the trust region applies to {@code A^opt} as to the other mirror-descent losses.
 */
public final class OnpoLoss extends MirrorDescentLoss {

  /**
   * @param eta the mirror-descent step size
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param maxLogRatio the trust region's delta in nats ({@code 0}: off)
   * @param weights per-token or sequence importance weights
   */
  public OnpoLoss(
      double eta, double importanceClip, double maxLogRatio, ImportanceWeights weights) {
    super(eta, 0.0, importanceClip, maxLogRatio, true, weights);
  }

  @Override
  public String name() {
    return "onpo";
  }

  @Override
  public ExtraPolicy extraPolicy() {
    return ExtraPolicy.OLDER_ITERATE;
  }

  @Override
  protected boolean magnetInLoss() {
    return false;
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    if (s.logExtraTarget() == null) {
      throw new IllegalArgumentException("onpo needs the batch scored by pi_{t-1}");
    }
    Advantages now = Advantages.selfPlay(manager, s, true, importanceClip);
    NDArray u =
        s.responseSum(s.logExtraTarget().sub(s.logMu())).exp().minimum((float) importanceClip);
    Advantages before = Advantages.againstOpponents(manager, s, u);
    return now.withValues(now.values().mul(2f).sub(before.values()))
        .withTrustRegion(s, maxLogRatio);
  }
}
