package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lodestone.policy.Scalars;

/**
 * Self-Play Preference Optimization at token level (SPPO, arXiv 2405.00675, eq. 3.6 of its
 * Algorithm 1): the square loss between each response's sequence log-ratio to the previous iterate
 * and its scaled win rate against it,
 *
 * <pre>
 *   h_i = sum_k (log pi_theta(y_ik|s_ik) - log pi_t(y_ik|s_ik))
 *   L   = (1/B) sum_i u_i (h_i - eta A_i)^2
 *   u_i = min(exp(sum_k log pi_t(y_ik|s_ik) - log mu(y_ik|s_ik)), c)        (detached)
 * </pre>
 *
 * with {@code A_i} the estimate of {@code P(y_i beats pi_t) - 1/2} of {@link Advantages#selfPlay}
 * (opponents weighted by their ratio pi_t / mu when the opponent correction is on). SPPO draws y
 * from pi_t; the pipeline's responses come from mu, a version or more behind, so each row's square
 * is weighted by its sequence ratio {@code u_i}. Rows without a labelled opponent carry no win rate
 * and drop out. There is no magnet: SPPO's iterates approach the Nash equilibrium on average, its
 * theory says nothing of the last one.
 */
public final class SppoLoss implements PreferenceLoss {
  private final double eta;
  private final double importanceClip;
  private final boolean opponentCorrection;

  /**
   * @param eta the step size (SPPO's eta: the scale of the target log-ratio)
   * @param importanceClip c, truncation of the row and opponent weights
   * @param opponentCorrection whether opponents are weighted by their sequence ratio
   */
  public SppoLoss(double eta, double importanceClip, boolean opponentCorrection) {
    this.eta = eta;
    this.importanceClip = importanceClip;
    this.opponentCorrection = opponentCorrection;
  }

  @Override
  public String name() {
    return "sppo";
  }

  @Override
  public boolean usesMagnet() {
    return false;
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    return Advantages.selfPlay(manager, s, opponentCorrection, importanceClip);
  }

  @Override
  public LossOutput loss(NDManager manager, ScoredBatch s, Advantages a) {
    NDArray h = s.responseSum(s.logp().sub(s.logPreviousTarget())); // (R), with gradient
    NDArray u =
        s.responseSum(s.logPreviousTarget().sub(s.logMu()))
            .exp()
            .minimum((float) importanceClip)
            .mul(LossTerms.comparedRows(manager, s.input())); // (R), detached
    NDArray target = a.values().mul((float) eta); // (R), detached
    NDArray residual = h.sub(target);
    NDArray total = residual.mul(residual).mul(u).sum(); // scalar
    NDArray pi = s.logPi().exp();
    double klPrevious = LossTerms.kl(s, pi, s.logPrevious()).getFloat() / s.responseTokens();
    int groups = s.input().groups();
    NDArray weighted = u.gt(0f).toType(DataType.FLOAT32, false); // rows in the loss
    double rowsIn = weighted.sum().getFloat();
    double weightMean = u.sum().getFloat() / Math.max(1.0, rowsIn);
    double clipped = u.gte((float) importanceClip).toType(DataType.FLOAT32, false).sum().getFloat();
    return new LossOutput(
        Scalars.div(total, groups),
        total.getFloat() / groups,
        Double.NaN,
        klPrevious,
        a.rewardMean(),
        a.meanOpponentWeight(),
        weightMean,
        clipped / Math.max(1.0, rowsIn),
        0.0,
        a.toHost());
  }
}
