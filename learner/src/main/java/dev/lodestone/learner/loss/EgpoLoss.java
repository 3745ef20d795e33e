package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;

/**
 * Extragradient Preference Optimization at token level (EGPO, Zhou, Fazel and Du, arXiv
 * 2503.08942): extragradient steps on the online IPO loss of the paper's equivalent implementation
 * (its "online IPO 2" form), against the magnet fixed at version 0 as the reference policy,
 *
 * <pre>
 *   g_i  = sum_k (log pi_theta(y_ik|s_ik) - log rho(y_ik|s_ik)),  h_ij = g_i - g_j
 *   L_q  = (1/B) sum_{labelled pairs i &lt; j} v_i v_j (h_ij - (p_ij - 1/2) / tau)^2
 *   v_i  = min(exp(sum_k log q(y_ik|s_ik) - log mu(y_ik|s_ik)), c)         (detached)
 * </pre>
 *
 * The pair weights make the pairs samples of q x q, as the loss asks ({@code y, y' ~ q}); its
 * minimiser in a one-token bandit with every pair weighted is {@code log pi/rho = (P(y beats q) -
 * 1/2) / tau + const}. One learner step is the extragradient of the paper's Algorithm 1 in
 * parameter space, as its released trainer takes it ({@link ExtraPolicy#EXTRAPOLATED}): an Adam
 * step on L_q with q = pi_theta (the weights before the step) to the extrapolated weights theta',
 * then, from the weights and Adam state before that step, an Adam step on L_q with q = pi_theta'.
 * Both halves use the same batch, so the budget in labelled groups is the batch's. The trainer
 * draws fresh groups for each half, from pi_theta and pi_theta'; here the samplers' groups are
 * re-weighted to them. {@code tau} is {@code --alpha}; there is no eta: the learning rate is the
 * step.
 */
public final class EgpoLoss extends PairwiseLoss {
  private final double importanceClip;

  /**
   * @param tau the regularisation towards the reference policy
   * @param importanceClip c, truncation of the pair weights' factors
   */
  public EgpoLoss(double tau, double importanceClip) {
    super(tau);
    this.importanceClip = importanceClip;
  }

  @Override
  public String name() {
    return "egpo";
  }

  @Override
  public ExtraPolicy extraPolicy() {
    return ExtraPolicy.EXTRAPOLATED;
  }

  @Override
  protected NDArray pairWeights(ScoredBatch s, NDArray mask) {
    NDArray logQ = s.logExtraTarget() == null ? s.logpDetached() : s.logExtraTarget(); // (R, T)
    NDArray v = s.responseSum(logQ.sub(s.logMu())).exp().minimum((float) importanceClip); // (R)
    long rows = v.getShape().get(0);
    return mask.mul(v.reshape(rows, 1).mul(v.reshape(1, rows))); // (R, R)
  }

  @Override
  protected NDArray pairLosses(NDArray h, NDArray p, NDArray weights) {
    NDArray target = p.sub(0.5f).div((float) strength); // detached
    NDArray r = h.sub(target);
    return r.mul(r).mul(weights).sum();
  }
}
