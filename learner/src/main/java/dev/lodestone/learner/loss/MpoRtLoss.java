package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * MPO with the magnet as a shaped reward instead of a KL term (the reward-transformation form of
 * MPO, arXiv 2410.16714, section 4): the magnet KL leaves the loss and enters the reward,
 *
 * <pre>
 *   L_i  = sum_k (log pi_theta(y_ik|s_ik) - log rho(y_ik|s_ik))                     (detached)
 *   A~_i = A_i - alpha (L_i - mean_{j != i in the group of i} L_j)
 *   L    = (1/B) sum_groups [ - sum_i sum_k A~_i w_k log pi_theta(y_k|s_k)
 *                             + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k)) ]
 * </pre>
 *
 * with {@code A_i} the self-play advantage of {@link Advantages#selfPlay} (its baseline is the
 * game's value 1/2) and the trust region applied to {@code A~}. The magnet's reward {@code -alpha
 * L_i} gets a leave-one-out baseline: the other responses of the group were drawn independently of
 * {@code y_i}, so the baseline leaves the expected gradient unbiased, {@code E[L_i grad log
 * pi(y_i)] = grad KL(pi || rho)}, and the effective magnet strength is alpha at any group size. (A
 * group mean that includes the response itself scales it by {@code (G - 1) / G}, half of alpha at G
 * = 2; and a baseline of the preference rewards would depend on {@code y_i}, whose opponents'
 * rewards it decides.) A response alone in its group has no baseline.
 */
public final class MpoRtLoss extends MirrorDescentLoss {

  /**
   * @param eta the mirror-descent step size
   * @param alpha the magnet strength ({@code 0}: no shaping)
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param maxLogRatio the trust region's delta in nats ({@code 0}: off)
   * @param opponentCorrection whether opponents are weighted by their sequence ratio
   * @param weights per-token or sequence importance weights
   */
  public MpoRtLoss(
      double eta,
      double alpha,
      double importanceClip,
      double maxLogRatio,
      boolean opponentCorrection,
      ImportanceWeights weights) {
    super(eta, alpha, importanceClip, maxLogRatio, opponentCorrection, weights);
  }

  @Override
  public String name() {
    return "mpo-rt";
  }

  @Override
  protected boolean magnetInLoss() {
    return false;
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    Advantages selfPlay = Advantages.selfPlay(manager, s, opponentCorrection, importanceClip);
    if (!usesMagnet()) {
      return selfPlay.withTrustRegion(s, maxLogRatio);
    }
    // L_i = sum_k (log pi_theta - log rho) per row, detached: (R, T) -> (R)
    NDArray logRatio = s.responseSum(s.logpDetached().sub(s.logMagnetTarget()));
    // the mean of L over the other rows of each row's group: (R, R) x (R, 1) -> (R)
    LabelledBatch in = s.input();
    int rows = in.rows();
    float[] others = new float[rows * rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        others[i * rows + j] = i != j && in.groupOf()[i] == in.groupOf()[j] ? 1f : 0f;
      }
    }
    NDArray o = manager.create(others, new Shape(rows, rows)); // (R, R)
    NDArray baseline =
        o.matMul(logRatio.reshape(rows, 1)).reshape(rows).div(o.sum(new int[] {1}).maximum(1f));
    NDArray shaped = selfPlay.values().sub(logRatio.sub(baseline).mul(alpha)); // A~, (R)
    return selfPlay.withValues(shaped).withTrustRegion(s, maxLogRatio);
  }
}
