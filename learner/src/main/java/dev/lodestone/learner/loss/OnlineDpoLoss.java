package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import dev.lodestone.policy.Scalars;

/**
 * Online DPO (Guo et al., "Direct Language Model Alignment from Online AI Feedback", arXiv
 * 2402.04792; the DPO loss of Rafailov et al., arXiv 2305.18290, eq. 7) against the magnet as the
 * reference policy, with the label's probability as a soft target,
 *
 * <pre>
 *   L = (1/B) sum_{labelled pairs i &lt; j} - [ p_ij log sigmoid(beta h_ij) + (1 - p_ij) log sigmoid(-beta h_ij) ]
 * </pre>
 *
 * ({@link PairwiseLoss} for {@code h}). For 0/1 labels this is DPO's loss on the preferred and the
 * other response. Where the preferences follow a Bradley-Terry model with scores s, the minimiser
 * is {@code pi ~ rho exp(s / beta)}. {@code beta} is {@code --alpha}.
 */
public final class OnlineDpoLoss extends PairwiseLoss {

  /**
   * @param beta the regularisation towards the reference policy
   */
  public OnlineDpoLoss(double beta) {
    super(beta);
  }

  @Override
  public String name() {
    return "online-dpo";
  }

  @Override
  protected NDArray pairLosses(NDArray h, NDArray p, NDArray mask) {
    NDArray x = Scalars.mul(h, strength);
    NDArray one = Scalars.constant(p, 1.0);
    NDArray each =
        p.mul(LossTerms.logSigmoid(x)).add(one.sub(p).mul(LossTerms.logSigmoid(x.neg())));
    return each.mul(mask).sum().neg();
  }
}
