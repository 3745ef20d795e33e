package dev.lodestone.learner.loss;

/**
 * Magnetic Preference Optimization at token level (MPO, arXiv 2410.16714, the MMD step of its
 * Algorithm 1; Magnetic Mirror Descent, arXiv 2206.05825, eq. 2): over B groups of responses,
 *
 * <pre>
 *   L = (1/B) sum_groups [ - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)
 *                          + alpha   sum_i sum_k KL(pi_theta(.|s_k) || rho(.|s_k))
 *                          + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k)) ]
 *
 *   w_k = min(exp(log pi_theta(y_k|s_k) - log mu(y_k|s_k)), c)     (detached)
 * </pre>
 *
 * with the advantages {@code A_i} of {@link Advantages#selfPlay} and its trust region. With {@code
 * w} detached, {@code E_mu[A w grad log pi] = sum_y A(y) grad pi(y)} (untruncated): in a one-token
 * bandit with exact expectations the minimiser is the tabular MMD step {@code pi ~ [pi_t rho^(eta
 * alpha) exp(eta A)]^(1/(1+eta alpha))}. The KL terms are exact over the whole vocabulary at every
 * response position. The magnet rho is reset to the published iterate every few versions (MPO) or
 * never (the fixed magnet of plain MMD); the loss is the same.
 */
public final class MpoLoss extends MirrorDescentLoss {
  private final String name;

  /**
   * @param name the algorithm's identifier ({@code mpo}, or {@code fixed-magnet})
   * @param eta the mirror-descent step size
   * @param alpha the magnet strength ({@code 0}: no magnet term)
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param maxLogRatio the trust region's delta in nats ({@code 0}: off)
   * @param opponentCorrection whether opponents are weighted by their sequence ratio
   * @param weights per-token or sequence importance weights
   */
  public MpoLoss(
      String name,
      double eta,
      double alpha,
      double importanceClip,
      double maxLogRatio,
      boolean opponentCorrection,
      ImportanceWeights weights) {
    super(eta, alpha, importanceClip, maxLogRatio, opponentCorrection, weights);
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  protected boolean magnetInLoss() {
    return true;
  }
}
