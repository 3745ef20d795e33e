package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lodestone.policy.Scalars;

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
public final class OmdLoss implements PreferenceLoss {
  private final double eta;
  private final double importanceClip;
  private final double maxLogRatio;
  private final boolean opponentCorrection;

  /**
   * @param eta the mirror-descent step size
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param maxLogRatio the trust region's delta in nats ({@code 0}: off)
   * @param opponentCorrection whether opponents are weighted by their sequence ratio
   */
  public OmdLoss(
      double eta, double importanceClip, double maxLogRatio, boolean opponentCorrection) {
    this.eta = eta;
    this.importanceClip = importanceClip;
    this.maxLogRatio = maxLogRatio;
    this.opponentCorrection = opponentCorrection;
  }

  @Override
  public String name() {
    return "omd";
  }

  @Override
  public boolean usesMagnet() {
    return false;
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    return Advantages.selfPlay(manager, s, opponentCorrection, importanceClip)
        .withTrustRegion(s, maxLogRatio);
  }

  @Override
  public LossOutput loss(NDManager manager, ScoredBatch s, Advantages a) {
    LossTerms.Weights w = LossTerms.importanceWeights(s, importanceClip);
    NDArray policy = LossTerms.policyGradientTerm(s, a, w.w()); // scalar
    NDArray klPrevious = LossTerms.kl(s, s.logPi().exp(), s.logPrevious()); // scalar
    NDArray total = policy.add(Scalars.div(klPrevious, eta));
    int groups = s.input().groups();
    return new LossOutput(
        LossTerms.perGroup(total, s),
        policy.getFloat() / groups,
        Double.NaN,
        klPrevious.getFloat() / s.responseTokens(),
        a.rewardMean(),
        a.meanOpponentWeight(),
        w.mean(),
        w.clippedFraction(),
        a.trustRegionFraction(),
        a.toHost());
  }
}
