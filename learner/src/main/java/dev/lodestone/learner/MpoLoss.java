package dev.lodestone.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lodestone.policy.Scalars;
import dev.lodestone.policy.TokenBatch;
import java.util.Arrays;
import java.util.Objects;

/**
 * The token-level MPO loss (Magnetic Preference Optimization, arXiv 2410.16714; Magnetic Mirror
 * Descent, arXiv 2206.05825), over a batch of B labelled groups laid out as R response rows:
 *
 * <pre>
 *   L = (1/B) sum_groups [ - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)
 *                          + alpha   sum_i sum_k KL(pi_theta(.|s_k) || rho(.|s_k))
 *                          + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k)) ]
 *
 *   A_i = mean_{j compared with i} v_j (p_ij - 1/2)
 *   w_k = min(exp(log pi_theta(y_k|s_k) - log mu(y_k|s_k)), c)     (detached: no gradient)
 *   v_j = min(exp(sum_k log pi_t(y_jk|s_jk) - log mu(y_jk|s_jk)), c)  (opponent's sequence ratio)
 * </pre>
 *
 * <p>The MMD step of iterate t needs each response's advantage against pi_t: {@code A(y) = P(y
 * beats y') - 1/2} with {@code y' ~ pi_t}. The opponents in a group were drawn by the sampler from
 * its policy mu, which in a running pipeline is a version or more behind pi_t. The weight {@code
 * v_j = pi_t(y_j) / mu(y_j)} (whole sequences, truncated at c) makes {@code v_j (p_ij - 1/2)} an
 * estimate of the advantage against pi_t, {@code E_mu[v (p - 1/2)] = E_pi_t[p - 1/2]}; without it
 * the learner plays against a delayed copy of itself, which turns the neutral cycles of a game like
 * rock-paper-scissors into growing ones. With {@code opponentCorrection} off, {@code v_j = 1} and
 * {@code A_i = r_i - 1/2} with {@code r_i = mean_j p_ij}, the plain self-play advantage.
 *
 * <p>With {@code w} detached, {@code E_mu[A w grad log pi] = sum_y A(y) grad pi(y)} (untruncated):
 * the exact policy gradient, so that in a one-token bandit with exact expectations the minimiser is
 * the tabular MMD step {@code pi ~ [pi_t rho^(eta alpha) exp(eta A)]^(1/(1+eta alpha))}. The KL
 * terms are exact over the whole vocabulary at every response position.
 *
 * <p><b>Trust region around pi_t.</b> With {@code maxLogRatio} delta &gt; 0, a row whose response
 * has already moved more than delta from pi_t in the direction of its advantage, {@code A_i > 0}
 * and {@code sum_k (log pi_theta - log pi_t) > delta}, or {@code A_i < 0} and that sum {@code <
 * -delta}, drops out of the policy term (its advantage counts as 0): PPO's clipped objective (arXiv
 * 1707.06347), here around the proximal anchor pi_t of the MMD step. The exact MMD step moves a
 * response's log-probability by at most about {@code eta max|A| / (1 + eta alpha)}, so a delta
 * above that leaves the minimiser of the exact loss unchanged; what it stops is a sampled batch
 * pushing a rarely drawn response far beyond that step (the KL terms weigh a response by its
 * probability and hardly resist there), the way a strategy falls to a probability at which it is
 * never drawn again.
 *
 * <p>MPO-RT ({@link LearnerAlgorithm#MPO_RT}) drops the magnet KL term and shapes the reward
 * instead: {@code r~_i = 1/2 + A_i - alpha sum_k (log pi_theta(y_k|s_k) - log rho(y_k|s_k))}
 * (detached), {@code A~_i = r~_i - mean_j r~_j} over the group. OMD uses {@code alpha = 0} and no
 * magnet.
 *
 * <p>Dimension letters: R response rows (B groups times their G responses), T positions, V
 * vocabulary.
 */
public final class MpoLoss {
  private MpoLoss() {}

  /**
   * The host-side inputs of one batch.
   *
   * @param batch the R rows (prompt + response) for teacher forcing
   * @param preferences (R, R): {@code preferences[r][s]} the probability that row r's response is
   *     preferred over row s's, for every labelled pair of a group (both orientations); NaN where
   *     the rows were not compared
   * @param groupOf the group index (0..groups-1) of each row, (R)
   * @param groups B, the number of groups
   * @param behaviourLogProbs log mu(y_k|s_k) at each row's response positions, (R, T) row-major,
   *     ignored elsewhere
   */
  public record Inputs(
      TokenBatch batch,
      double[][] preferences,
      int[] groupOf,
      int groups,
      float[] behaviourLogProbs) {
    /** Checks the shapes. */
    public Inputs {
      Objects.requireNonNull(batch, "batch");
      int r = batch.batchSize();
      if (preferences.length != r || groupOf.length != r) {
        throw new IllegalArgumentException(
            "preferences and groupOf need one entry per row ("
                + r
                + "), got "
                + preferences.length
                + " and "
                + groupOf.length);
      }
      for (double[] row : preferences) {
        if (row.length != r) {
          throw new IllegalArgumentException("preferences must be R x R = " + r + " x " + r);
        }
      }
      if (behaviourLogProbs.length != r * batch.length()) {
        throw new IllegalArgumentException(
            "behaviourLogProbs must be R x T = "
                + r * batch.length()
                + " values, got "
                + behaviourLogProbs.length);
      }
      if (groups < 1) {
        throw new IllegalArgumentException("groups must be at least 1, got " + groups);
      }
    }
  }

  /**
   * The loss and its parts.
   *
   * @param total the scalar loss L, attached to the caller's manager, differentiable in theta
   * @param policy the REINFORCE part {@code -(1/B) sum A w log pi}
   * @param klMagnet mean over response tokens of {@code KL(pi_theta || rho)}; NaN without a magnet
   * @param klPrevious mean over response tokens of {@code KL(pi_theta || pi_t)}
   * @param rewardMean mean of the plain self-play rewards {@code r_i = mean_j p_ij} over the rows
   * @param meanOpponentWeight mean over compared rows of the opponent weight {@code v_j} (1 with
   *     the correction off)
   * @param meanWeight mean truncated importance weight over response tokens
   * @param clippedFraction fraction of response tokens whose weight was truncated at c
   * @param trustRegionFraction fraction of rows dropped from the policy term by the trust region
   * @param advantages the advantages used, per row (0 for a row the trust region dropped)
   */
  public record Result(
      NDArray total,
      double policy,
      double klMagnet,
      double klPrevious,
      double rewardMean,
      double meanOpponentWeight,
      double meanWeight,
      double clippedFraction,
      double trustRegionFraction,
      double[] advantages) {}

  /**
   * Computes the loss.
   *
   * @param manager where the result lives
   * @param in the batch's host-side inputs
   * @param logPi log pi_theta, (R, T, V), recorded for backpropagation
   * @param logPrevious log pi_t, (R, T, V), no gradient
   * @param logMagnet log rho, (R, T, V), no gradient; may be null when the algorithm does not use
   *     the magnet ({@link LearnerAlgorithm#OMD})
   * @param hp the hyper-parameters (algorithm, eta, alpha, importance clip, trust region)
   */
  public static Result compute(
      NDManager manager,
      Inputs in,
      NDArray logPi,
      NDArray logPrevious,
      NDArray logMagnet,
      LearnerHyperparameters hp) {
    LearnerAlgorithm algo = hp.algorithm();
    double alpha = hp.effectiveAlpha();
    boolean needMagnet = algo.hasMagnetKl() || (algo.shapesReward() && alpha > 0);
    if (needMagnet && logMagnet == null) {
      throw new IllegalArgumentException(algo.id() + " needs the magnet's log-probabilities");
    }
    TokenBatch batch = in.batch();
    int rows = batch.batchSize();
    int t = batch.length();
    double tokens = batch.responseTokenCount();

    NDArray mask = batch.responseMask(manager); // (R, T)
    NDArray logp = batch.targetLogProbs(logPi); // (R, T, V) -> (R, T)
    NDArray logpDetached = logp.stopGradient(); // (R, T)
    NDArray logMu = manager.create(in.behaviourLogProbs(), new Shape(rows, t)); // (R, T)

    // Truncated importance weights, detached: w = min(pi_theta / mu, c) at response positions.
    NDArray ratio = logpDetached.sub(logMu).exp().mul(mask); // (R, T)
    NDArray w = ratio.minimum((float) hp.importanceClip()).mul(mask); // (R, T)
    double meanWeight = w.sum().getFloat() / tokens;
    double clippedFraction =
        ratio
                .gt((float) hp.importanceClip())
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .mul(mask)
                .sum()
                .getFloat()
            / tokens;

    // log pi_t of each row's response tokens, for the opponent weights and the trust region.
    double delta = hp.maxLogRatio();
    NDArray logPrevTarget =
        hp.opponentCorrection() || delta > 0
            ? batch.targetLogProbs(logPrevious) // (R, T, V) -> (R, T)
            : null;
    // Opponent weights v_j = pi_t(y_j) / mu(y_j) over each row's response, truncated at c.
    double[] v = new double[rows];
    if (hp.opponentCorrection()) {
      float[] seqLogRatio = responseSums(logPrevTarget.sub(logMu), mask);
      for (int i = 0; i < rows; i++) {
        v[i] = Math.min(Math.exp(seqLogRatio[i]), hp.importanceClip());
      }
    } else {
      Arrays.fill(v, 1.0);
    }

    // Rewards and (corrected) advantages against the opponents, per row.
    double[][] prefs = in.preferences();
    double[] corrected = new double[rows]; // 1/2 + A_i, opponents weighted
    double rewardMean = 0;
    double opponentWeightSum = 0;
    int compared = 0;
    for (int i = 0; i < rows; i++) {
      double plain = 0;
      double weighted = 0;
      int n = 0;
      for (int j = 0; j < rows; j++) {
        double p = prefs[i][j];
        if (!Double.isNaN(p)) {
          plain += p;
          weighted += v[j] * (p - 0.5);
          n++;
        }
      }
      rewardMean += n == 0 ? 0.5 : plain / n; // r_i, plain
      corrected[i] = n == 0 ? 0.5 : 0.5 + weighted / n;
      if (n > 0) {
        opponentWeightSum += v[i];
        compared++;
      }
    }
    rewardMean /= rows;
    double meanOpponentWeight = compared == 0 ? Double.NaN : opponentWeightSum / compared;
    double[] adv = new double[rows];
    NDArray logRhoTarget = null;
    if (logMagnet != null) {
      logRhoTarget = batch.targetLogProbs(logMagnet); // (R, T, V) -> (R, T)
    }
    if (algo.shapesReward()) {
      double[] shaped = corrected.clone();
      if (alpha > 0) {
        // sum_k (log pi_theta - log rho) per row, detached: (R, T) -> (R)
        float[] logRatio = responseSums(logpDetached.sub(logRhoTarget), mask);
        for (int i = 0; i < rows; i++) {
          shaped[i] -= alpha * logRatio[i];
        }
      }
      double[] sum = new double[in.groups()];
      int[] count = new int[in.groups()];
      for (int i = 0; i < rows; i++) {
        sum[in.groupOf()[i]] += shaped[i];
        count[in.groupOf()[i]]++;
      }
      for (int i = 0; i < rows; i++) {
        int g = in.groupOf()[i];
        adv[i] = shaped[i] - sum[g] / count[g];
      }
    } else {
      for (int i = 0; i < rows; i++) {
        adv[i] = corrected[i] - 0.5;
      }
    }
    // Trust region: rows already moved past delta from pi_t in their advantage's direction.
    int dropped = 0;
    if (delta > 0) {
      // sum_k (log pi_theta - log pi_t) per row, detached
      float[] moved = responseSums(logpDetached.sub(logPrevTarget), mask);
      for (int i = 0; i < rows; i++) {
        if ((adv[i] > 0 && moved[i] > delta) || (adv[i] < 0 && moved[i] < -delta)) {
          adv[i] = 0;
          dropped++;
        }
      }
    }
    float[] advF = new float[rows];
    for (int i = 0; i < rows; i++) {
      advF[i] = (float) adv[i];
    }
    NDArray a = manager.create(advF, new Shape(rows, 1)); // (R, 1)

    // - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)
    NDArray policy = a.mul(w).mul(logp).mul(mask).sum().neg(); // scalar

    // KL(pi_theta || pi_t) summed over response positions: (R, T, V) -> (R, T) -> scalar
    NDArray pi = logPi.exp(); // (R, T, V)
    NDArray klPrev = pi.mul(logPi.sub(logPrevious)).sum(new int[] {2}).mul(mask).sum();
    // Constants through Scalars: autograd keeps them for the backward pass, so they must be
    // engine-owned (DJL's Number overloads wrap a buffer the garbage collector may free first).
    NDArray total = policy.add(Scalars.div(klPrev, hp.eta()));
    double klMagnetMean = Double.NaN;
    if (logMagnet != null) {
      NDArray klRho = pi.mul(logPi.sub(logMagnet)).sum(new int[] {2}).mul(mask).sum();
      if (algo.hasMagnetKl() && alpha > 0) {
        total = total.add(Scalars.mul(klRho, alpha));
      }
      klMagnetMean = klRho.getFloat() / tokens;
    }
    total = Scalars.div(total, in.groups());
    return new Result(
        total,
        policy.getFloat() / in.groups(),
        klMagnetMean,
        klPrev.getFloat() / tokens,
        rewardMean,
        meanOpponentWeight,
        meanWeight,
        clippedFraction,
        (double) dropped / rows,
        adv);
  }

  /** Per row, the sum of a (R, T) array over the response positions: (R, T) -> (R), on the host. */
  private static float[] responseSums(NDArray perToken, NDArray mask) {
    return perToken.mul(mask).sum(new int[] {1}).toFloatArray();
  }
}
