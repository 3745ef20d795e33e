package dev.lodestone.games.tabular;

/**
 * Nash-MD, tabular (Munos et al., "Nash Learning from Human Feedback", arXiv 2312.00886): first a
 * geometric mixture of the current policy with the reference {@code mu}, then a mirror-descent step
 * against that mixture, regularized towards it:
 *
 * <pre>
 *   pi^mu_t(i) ~ pi_t(i)^(1 - eta beta) * mu(i)^(eta beta)          (geometric mixture)
 *   pi_{t+1}   = argmax_pi [ eta P(pi > pi^mu_t) - KL(pi, pi^mu_t) ]
 *              ~ pi^mu_t * exp(eta P pi^mu_t)                        (step)
 * </pre>
 *
 * <p>with {@code 0 < eta beta <= 1}. The reference {@code mu} (by default the start policy) never
 * moves: the iterate converges to the equilibrium of the {@code beta}-KL-regularized game, biased
 * away from the game's Nash equilibrium like MMD with a fixed magnet. {@code beta} is the
 * configuration's {@code alpha}.
 */
public final class NashMd extends LogSpaceSolver {

  private final double eta;
  private final double beta;
  private final double[] logMu; // log mu, (N), fixed
  private final double[] zMix; // log pi^mu_t, (N)
  private final double[] piMix; // pi^mu_t, (N)

  /**
   * Creates the solver at {@code start}, with the reference at {@code start}.
   *
   * @param config uses {@code eta} and {@code alpha} as {@code beta}, with {@code eta * alpha <= 1}
   */
  public NashMd(WinRateOracle oracle, double[] start, TabularConfig config) {
    this(oracle, start, start, config);
  }

  /**
   * Creates the solver at {@code start} with the reference {@code mu}.
   *
   * @param config uses {@code eta} and {@code alpha} as {@code beta}, with {@code eta * alpha <= 1}
   */
  public NashMd(WinRateOracle oracle, double[] start, double[] mu, TabularConfig config) {
    super(oracle, start);
    if (config.eta() * config.alpha() > 1.0) {
      throw new IllegalArgumentException(
          "nash-md needs eta * alpha <= 1 (the mixture weight of the reference), got eta "
              + config.eta()
              + " * alpha "
              + config.alpha()
              + " = "
              + config.eta() * config.alpha());
    }
    this.eta = config.eta();
    this.beta = config.alpha();
    this.logMu = LogPolicy.logOf(LogPolicy.checkPolicy(mu, n, "reference"));
    this.zMix = new double[n];
    this.piMix = new double[n];
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.NASH_MD;
  }

  @Override
  public void step() {
    double w = eta * beta;
    for (int i = 0; i < n; i++) {
      zMix[i] = LogPolicy.times(1.0 - w, z[i]) + LogPolicy.times(w, logMu[i]);
    }
    LogPolicy.normalize(zMix, zMix, piMix); // pi^mu_t
    winRates(piMix); // P pi^mu_t
    for (int i = 0; i < n; i++) {
      z[i] = zMix[i] + eta * r[i];
    }
    LogPolicy.normalize(z, z, pi);
    t++;
  }
}
