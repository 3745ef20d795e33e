package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The advantages of one batch, computed once per batch as tensors, before the loss; no gradient
 * flows through them.
 *
 * <pre>
 *   A_i = mean_{j compared with i} v_j (p_ij - 1/2)
 *   v_j = min(exp(sum_k log pi_t(y_jk|s_jk) - log mu(y_jk|s_jk)), c)    (opponent's sequence ratio)
 * </pre>
 *
 * <p>The MMD step of iterate t needs each response's advantage against pi_t: {@code A(y) = P(y
 * beats y') - 1/2} with {@code y' ~ pi_t}. The opponents in a group were drawn by the sampler from
 * its policy mu, a version or more behind pi_t in a running pipeline. The weight {@code v_j} makes
 * {@code v_j (p_ij - 1/2)} an estimate of the advantage against pi_t, {@code E_mu[v (p - 1/2)] =
 * E_pi_t[p - 1/2]}; without it the learner plays against a delayed copy of itself. With the
 * opponent correction off, {@code v_j = 1}: the plain self-play advantage {@code r_i - 1/2}, {@code
 * r_i = mean_j p_ij}. A response without a labelled pair gets {@code A_i = 0}.
 *
 * @param values A, (R), float32, detached
 * @param rewardMean mean over the rows of the plain self-play reward {@code r_i = mean_j p_ij}
 * @param meanOpponentWeight mean opponent weight {@code v_j} over the compared rows (1 with the
 *     correction off; NaN when no row was compared)
 * @param trustRegionFraction fraction of rows whose advantage the trust region set to 0
 */
public record Advantages(
    NDArray values, double rewardMean, double meanOpponentWeight, double trustRegionFraction) {

  /**
   * The self-play advantages of {@code scored}'s rows against the previous iterate.
   *
   * @param opponentCorrection whether opponents are weighted by {@code v_j}
   * @param clip c, the truncation of {@code v_j}
   */
  public static Advantages selfPlay(
      NDManager manager, ScoredBatch scored, boolean opponentCorrection, double clip) {
    NDArray v; // (R)
    if (opponentCorrection) {
      v = scored.responseSum(scored.logPreviousTarget().sub(scored.logMu())).exp().minimum(clip);
    } else {
      v = manager.ones(new Shape(scored.input().rows()));
    }
    return againstOpponents(manager, scored, v);
  }

  /**
   * The advantages of {@code scored}'s rows against the opponents of their groups, each opponent
   * weighted by {@code v_j}: {@code A_i = sum_j c_ij v_j (p_ij - 1/2) / n_i}. With {@code v_j} the
   * ratio of a policy q to mu for the opponent's response, this estimates {@code P(y_i beats q) -
   * 1/2}.
   *
   * @param v the opponents' weights, (R), detached
   */
  public static Advantages againstOpponents(NDManager manager, ScoredBatch scored, NDArray v) {
    LabelledBatch in = scored.input();
    int rows = in.rows();
    float[] p = new float[rows * rows]; // p_ij - 1/2 where compared, else 0
    float[] compared = new float[rows * rows]; // 1 where compared
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < rows; j++) {
        double x = in.preferences()[i][j];
        if (!Double.isNaN(x)) {
          p[i * rows + j] = (float) (x - 0.5);
          compared[i * rows + j] = 1f;
        }
      }
    }
    NDArray centred = manager.create(p, new Shape(rows, rows)); // (R, R)
    NDArray c = manager.create(compared, new Shape(rows, rows)); // (R, R)
    NDArray n = c.sum(new int[] {1}); // (R): opponents of each row
    NDArray hasOpponents = n.gt(0f).toType(DataType.FLOAT32, false); // (R)
    NDArray perRow = n.maximum(1f); // (R), no division by 0
    // r_i = 1/2 + mean_j (p_ij - 1/2), 1/2 without opponents
    NDArray plain = centred.sum(new int[] {1}).div(perRow).add(0.5f); // (R)
    // A_i = sum_j c_ij v_j (p_ij - 1/2) / n_i: (R, R) x (R, 1) -> (R)
    NDArray a = centred.matMul(v.reshape(rows, 1)).reshape(rows).div(perRow);
    float compares = hasOpponents.sum().getFloat();
    double meanV =
        compares == 0 ? Double.NaN : v.mul(hasOpponents).sum().getFloat() / (double) compares;
    return new Advantages(a, plain.mean().getFloat(), meanV, 0.0);
  }

  /**
   * The trust region around pi_t: a row whose response has already moved more than {@code delta}
   * nats from pi_t in the direction of its advantage ({@code A_i > 0} and {@code sum_k (log
   * pi_theta - log pi_t) > delta}, or {@code A_i < 0} and that sum {@code < -delta}) drops out of
   * the policy term, its advantage set to 0: PPO's clipped objective (arXiv 1707.06347) around the
   * proximal anchor pi_t of the MMD step. {@code delta <= 0}: unchanged.
   */
  public Advantages withTrustRegion(ScoredBatch scored, double delta) {
    if (delta <= 0) {
      return this;
    }
    NDArray moved = scored.responseSum(scored.logpDetached().sub(scored.logPreviousTarget()));
    NDArray drop =
        values
            .gt(0f)
            .logicalAnd(moved.gt(delta))
            .logicalOr(values.lt(0f).logicalAnd(moved.lt(-delta)))
            .toType(DataType.FLOAT32, false); // (R)
    long dropped = Math.round(drop.sum().getFloat());
    return new Advantages(
        values.mul(drop.neg().add(1f)),
        rewardMean,
        meanOpponentWeight,
        (double) dropped / values.getShape().get(0));
  }

  /** The advantages with other values, the diagnostics kept. */
  public Advantages withValues(NDArray newValues) {
    return new Advantages(newValues, rewardMean, meanOpponentWeight, trustRegionFraction);
  }

  /** The values on the host, per row. */
  public double[] toHost() {
    float[] f = values.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
