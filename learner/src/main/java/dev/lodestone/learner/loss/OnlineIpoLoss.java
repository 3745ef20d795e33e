package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;

/**
 * Online IPO (Calandriello et al., "Human Alignment of Large Language Models through Online
 * Preference Optimisation", arXiv 2403.08635; the IPO loss of Azar et al., arXiv 2310.12036, eq.
 * 17) against the magnet as the reference policy,
 *
 * <pre>
 *   L = (1/B) sum_{labelled pairs i &lt; j} (h_ij - (p_ij - 1/2) / tau)^2
 * </pre>
 *
 * ({@link PairwiseLoss} for {@code h}): IPO's {@code (h(y_w, y_l) - 1/(2 tau))^2} with the label's
 * probability, whose expectation over the two orders has this minimiser. With every pair of a
 * vocabulary labelled once, the minimiser is {@code pi(y) ~ rho(y) exp((1 / (V tau)) sum_{y'} (p(y,
 * y') - 1/2))}: the IPO solution against uniform opponents. {@code tau} is {@code --alpha}.
 */
public final class OnlineIpoLoss extends PairwiseLoss {

  /**
   * @param tau the regularisation towards the reference policy
   */
  public OnlineIpoLoss(double tau) {
    super(tau);
  }

  @Override
  public String name() {
    return "online-ipo";
  }

  @Override
  protected NDArray pairLosses(NDArray h, NDArray p, NDArray mask) {
    NDArray target = p.sub(0.5f).div((float) strength); // detached
    NDArray r = h.sub(target);
    return r.mul(r).mul(mask).sum();
  }
}
