package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * MPO with the magnet as a shaped reward instead of a KL term (the reward-transformation form of
 * MPO, arXiv 2410.16714, section 4): the magnet KL leaves the loss and enters the reward,
 *
 * <pre>
 *   r~_i = 1/2 + A_i - alpha sum_k (log pi_theta(y_k|s_k) - log rho(y_k|s_k))     (detached)
 *   A~_i = r~_i - mean_{j in the group of i} r~_j
 *   L    = (1/B) sum_groups [ - sum_i sum_k A~_i w_k log pi_theta(y_k|s_k)
 *                             + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k)) ]
 * </pre>
 *
 * with {@code A_i} the self-play advantage of {@link Advantages#selfPlay} and the trust region
 * applied to {@code A~}. The group mean includes the response itself.
 */
public final class MpoRtLoss extends MirrorDescentLoss {

  /**
   * @param eta the mirror-descent step size
   * @param alpha the magnet strength ({@code 0}: no shaping)
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param maxLogRatio the trust region's delta in nats ({@code 0}: off)
   * @param opponentCorrection whether opponents are weighted by their sequence ratio
   */
  public MpoRtLoss(
      double eta,
      double alpha,
      double importanceClip,
      double maxLogRatio,
      boolean opponentCorrection) {
    super(eta, alpha, importanceClip, maxLogRatio, opponentCorrection);
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
    NDArray shaped = selfPlay.values().add(0.5f); // r~, (R)
    if (usesMagnet()) {
      // sum_k (log pi_theta - log rho) per row, detached: (R, T) -> (R)
      NDArray logRatio = s.responseSum(s.logpDetached().sub(s.logMagnetTarget()));
      shaped = shaped.sub(logRatio.mul(alpha));
    }
    // mean over each row's group: (R, R) same-group indicator x (R, 1) -> (R)
    LabelledBatch in = s.input();
    int rows = in.rows();
    float[] same = new float[rows * rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        same[i * rows + j] = in.groupOf()[i] == in.groupOf()[j] ? 1f : 0f;
      }
    }
    NDArray sameGroup = manager.create(same, new Shape(rows, rows)); // (R, R)
    NDArray groupMean =
        sameGroup.matMul(shaped.reshape(rows, 1)).reshape(rows).div(sameGroup.sum(new int[] {1}));
    return selfPlay.withValues(shaped.sub(groupMean)).withTrustRegion(s, maxLogRatio);
  }
}
