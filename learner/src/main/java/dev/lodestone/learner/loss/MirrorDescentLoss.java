package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lodestone.policy.Scalars;

/**
 * The proximal step the token-level losses share: the policy-gradient term of the batch's
 * advantages and the KL to the previous iterate,
 *
 * <pre>
 *   L = (1/B) sum_groups [ - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)
 *                          + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi_t(.|s_k))
 *                          (+ alpha  sum_i sum_k KL(pi_theta(.|s_k) || rho(.|s_k)))  ]
 * </pre>
 *
 * with the magnet term where the algorithm puts the magnet in the loss ({@link #magnetInLoss()}).
 * The advantages are the self-play advantages of {@link Advantages#selfPlay} with the trust region,
 * unless a subclass shapes them.
 */
abstract class MirrorDescentLoss implements PreferenceLoss {
  /** The mirror-descent step size. */
  protected final double eta;

  /** The magnet strength; 0: no magnet. */
  protected final double alpha;

  /** c, the truncation of the importance and opponent weights. */
  protected final double importanceClip;

  /** The trust region's delta in nats; 0: off. */
  protected final double maxLogRatio;

  /** Whether opponents are weighted by their sequence ratio pi_t / mu. */
  protected final boolean opponentCorrection;

  /** Per-token or sequence importance weights in the policy-gradient term. */
  protected final ImportanceWeights weights;

  MirrorDescentLoss(
      double eta,
      double alpha,
      double importanceClip,
      double maxLogRatio,
      boolean opponentCorrection,
      ImportanceWeights weights) {
    this.eta = eta;
    this.weights = java.util.Objects.requireNonNull(weights, "weights");
    this.alpha = alpha;
    this.importanceClip = importanceClip;
    this.maxLogRatio = maxLogRatio;
    this.opponentCorrection = opponentCorrection;
  }

  /** Whether the magnet KL term is part of the loss (else the magnet acts elsewhere, or not). */
  protected abstract boolean magnetInLoss();

  @Override
  public boolean usesMagnet() {
    return alpha > 0;
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    return Advantages.selfPlay(manager, s, opponentCorrection, importanceClip)
        .withTrustRegion(s, maxLogRatio);
  }

  @Override
  public final LossOutput loss(NDManager manager, ScoredBatch s, Advantages a) {
    LossTerms.Weights w = LossTerms.importanceWeights(s, importanceClip, weights);
    NDArray policy = LossTerms.policyGradientTerm(s, a, w.w()); // scalar
    NDArray pi = s.logPi().exp(); // (R, T, V)
    NDArray klPrevious = LossTerms.kl(s, pi, s.logPrevious()); // scalar
    NDArray total = policy.add(Scalars.div(klPrevious, eta));
    double klMagnet = Double.NaN;
    if (usesMagnet()) {
      NDArray klRho = LossTerms.kl(s, pi, s.logMagnet()); // scalar
      if (magnetInLoss()) {
        total = total.add(Scalars.mul(klRho, alpha));
      }
      klMagnet = klRho.getFloat() / s.responseTokens();
    }
    int groups = s.input().groups();
    return new LossOutput(
        LossTerms.perGroup(total, s),
        policy.getFloat() / groups,
        klMagnet,
        klPrevious.getFloat() / s.responseTokens(),
        a.rewardMean(),
        a.meanOpponentWeight(),
        w.mean(),
        w.clippedFraction(),
        a.trustRegionFraction(),
        a.toHost());
  }
}
