package dev.lodestone.learner.loss;

/**
 * Online mirror descent at token level: {@link MpoLoss} without the magnet,
 *
 * <pre>
 *   L = (1/B) sum_groups [ - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)
 *                          + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k)) ]
 * </pre>
 *
 * the proximal step {@code pi ~ pi_t exp(eta A)} (multiplicative weights). In a game like
 * rock-paper-scissors its last iterate cycles; it is the baseline that shows what the magnet buys.
 */
public final class OmdLoss extends MirrorDescentLoss {

  /**
   * @param eta the mirror-descent step size
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param maxLogRatio the trust region's delta in nats ({@code 0}: off)
   * @param opponentCorrection whether opponents are weighted by their sequence ratio
   * @param weights per-token or sequence importance weights
   */
  public OmdLoss(
      double eta,
      double importanceClip,
      double maxLogRatio,
      boolean opponentCorrection,
      ImportanceWeights weights) {
    super(eta, 0.0, importanceClip, maxLogRatio, opponentCorrection, weights);
  }

  @Override
  public String name() {
    return "omd";
  }

  @Override
  protected boolean magnetInLoss() {
    return false;
  }
}
