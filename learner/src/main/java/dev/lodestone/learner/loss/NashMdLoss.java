package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lodestone.policy.Scalars;

/**
 * Nash Mirror Descent at token level (Nash-MD, arXiv 2312.00886, eq. 10): a mirror-descent step
 * from the geometric mixture of the previous iterate and the reference policy (the magnet, fixed),
 * against opponents drawn from that mixture,
 *
 * <pre>
 *   log pi^beta(.|s) = log_softmax((1 - beta) log pi_t(.|s) + beta log rho(.|s)),  beta = eta tau
 *   A_i = mean_j v_j (p_ij - 1/2),  v_j = min(exp(sum_k log pi^beta(y_jk|s_jk) - log mu(y_jk|s_jk)), c)
 *   L   = (1/B) sum_groups [ - sum_i sum_k A_i w_k log pi_theta(y_k|s_k)
 *                            + (1/eta) sum_i sum_k KL(pi_theta(.|s_k) || pi^beta(.|s_k)) ]
 * </pre>
 *
 * whose minimiser in a one-token bandit with exact expectations is the paper's update {@code
 * pi_{t+1} ~ pi^beta exp(eta P(y beats pi^beta))}. The opponents come from the mixture by
 * importance weights on the samplers' responses (the paper samples them from it); the mixture is
 * taken token by token, as the paper's experiments do, which at sequence level is an approximation
 * of the geometric mixture of sequences. {@code tau} is the regularisation towards rho ({@code
 * --alpha}); {@code eta tau} must not exceed 1.
 */
public final class NashMdLoss implements PreferenceLoss {
  private final double eta;
  private final double beta;
  private final double importanceClip;
  private final ImportanceWeights weights;

  /**
   * @param eta the mirror-descent step size
   * @param tau the regularisation towards the reference policy rho
   * @param importanceClip c, truncation of the importance and opponent weights
   * @param weights per-token or sequence importance weights
   * @throws IllegalArgumentException unless 0 &lt;= eta tau &lt;= 1
   */
  public NashMdLoss(double eta, double tau, double importanceClip, ImportanceWeights weights) {
    this.eta = eta;
    this.weights = java.util.Objects.requireNonNull(weights, "weights");
    this.beta = eta * tau;
    this.importanceClip = importanceClip;
    if (!(beta >= 0 && beta <= 1)) {
      throw new IllegalArgumentException(
          "nash-md mixes pi_t and the magnet with beta = eta * alpha, which must be in [0, 1]; got "
              + eta
              + " * "
              + tau
              + " = "
              + beta);
    }
  }

  @Override
  public String name() {
    return "nash-md";
  }

  @Override
  public boolean usesMagnet() {
    return beta > 0;
  }

  /** log pi^beta, (R, T, V), no gradient. */
  private NDArray logMixture(ScoredBatch s) {
    if (beta == 0) {
      return s.logPrevious();
    }
    return s.logPrevious()
        .mul((float) (1 - beta))
        .add(s.logMagnet().mul((float) beta))
        .logSoftmax(2);
  }

  @Override
  public Advantages advantages(NDManager manager, ScoredBatch s) {
    NDArray mixTarget = s.input().batch().targetLogProbs(logMixture(s)); // (R, T)
    NDArray v = s.responseSum(mixTarget.sub(s.logMu())).exp().minimum((float) importanceClip);
    return Advantages.againstOpponents(manager, s, v);
  }

  @Override
  public LossOutput loss(NDManager manager, ScoredBatch s, Advantages a) {
    LossTerms.Weights w = LossTerms.importanceWeights(s, importanceClip, weights);
    NDArray policy = LossTerms.policyGradientTerm(s, a, w.w()); // scalar
    NDArray pi = s.logPi().exp(); // (R, T, V)
    NDArray klMixture = LossTerms.kl(s, pi, logMixture(s)); // scalar
    NDArray total = policy.add(Scalars.div(klMixture, eta));
    double klMagnet =
        usesMagnet()
            ? LossTerms.kl(s, pi, s.logMagnet()).getFloat() / s.responseTokens()
            : Double.NaN;
    int groups = s.input().groups();
    return new LossOutput(
        LossTerms.perGroup(total, s),
        policy.getFloat() / groups,
        klMagnet,
        LossTerms.kl(s, pi, s.logPrevious()).getFloat() / s.responseTokens(),
        a.rewardMean(),
        a.meanOpponentWeight(),
        w.mean(),
        w.clippedFraction(),
        0.0,
        a.toHost());
  }
}
