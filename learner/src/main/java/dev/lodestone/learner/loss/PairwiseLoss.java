package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The online pairwise losses against the reference policy (the magnet, fixed): each labelled pair
 * of a group once, through the difference of the two responses' sequence log-ratios to the
 * reference,
 *
 * <pre>
 *   g_i  = sum_k (log pi_theta(y_ik|s_ik) - log rho(y_ik|s_ik))
 *   h_ij = g_i - g_j
 * </pre>
 *
 * and the pair's label p_ij, the probability that i is preferred (0 or 1 for a verdict). The
 * responses are the samplers' own, drawn from a recent iterate: online in the sense of the online
 * DPO and IPO papers, without importance weights (their losses do not ask for samples of any
 * particular policy). Subclasses give the loss of one pair.
 */
abstract class PairwiseLoss implements PreferenceLoss {
  /** The regularisation towards the reference (DPO's beta, IPO's tau). */
  protected final double strength;

  PairwiseLoss(double strength) {
    if (!(strength > 0)) {
      throw new IllegalArgumentException(
          "the regularisation towards the magnet (--alpha) must be positive, got " + strength);
    }
    this.strength = strength;
  }

  @Override
  public boolean usesMagnet() {
    return true;
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    // not used by the loss: the plain self-play rewards, for the learner's diagnostics
    return Advantages.selfPlay(manager, s, false, 1.0);
  }

  /** The summed loss of the pairs: {@code h} and {@code p} are (R, R), {@code mask} selects. */
  protected abstract NDArray pairLosses(NDArray h, NDArray p, NDArray mask);

  /**
   * The weight of each labelled pair, (R, R), detached: {@code mask} itself (every pair once,
   * unweighted) unless a subclass weighs the pairs.
   */
  protected NDArray pairWeights(ScoredBatch s, NDArray mask) {
    return mask;
  }

  @Override
  public LossOutput loss(NDManager manager, ScoredBatch s, Advantages a) {
    NDArray g = s.responseSum(s.logp().sub(s.logMagnetTarget())); // (R), with gradient
    LossTerms.Pairs pairs = LossTerms.labelledPairs(manager, s.input());
    NDArray total =
        pairLosses(LossTerms.differences(g), pairs.p(), pairWeights(s, pairs.mask())); // scalar
    NDArray pi = s.logPi().exp();
    int groups = s.input().groups();
    return new LossOutput(
        LossTerms.perGroup(total, s),
        total.getFloat() / groups,
        LossTerms.kl(s, pi, s.logMagnet()).getFloat() / s.responseTokens(),
        LossTerms.kl(s, pi, s.logPrevious()).getFloat() / s.responseTokens(),
        a.rewardMean(),
        Double.NaN,
        Double.NaN,
        0.0,
        0.0,
        a.toHost());
  }
}
