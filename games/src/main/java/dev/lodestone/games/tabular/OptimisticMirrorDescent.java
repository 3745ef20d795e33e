package dev.lodestone.games.tabular;

/**
 * Optimistic online mirror descent with the entropy, the tabular update of ONPO (Zhang et al.,
 * "Improving LLM General Preference Alignment via Optimistic Online Mirror Descent", arXiv
 * 2502.16852):
 *
 * <pre>
 *   r_t      = P pi_t
 *   pi_t     ~ pi'_t exp(eta r_{t-1})          (the played policy: the last payoff, predicted again)
 *   pi'_{t+1} ~ pi'_t exp(eta r_t)             (the secondary sequence: plain mirror descent)
 * </pre>
 *
 * <p>with {@code pi'_0} the start and {@code r_{-1} = 0}, so {@code pi_0} is the start. The
 * optimistic prediction damps the rotation that makes plain multiplicative weights cycle: the last
 * iterate converges to the Nash equilibrium when it is unique (linearly, for a small enough step),
 * and the average gap decays as {@code O(1/T)}.
 */
public final class OptimisticMirrorDescent extends LogSpaceSolver {

  private final double eta;
  private final double[] zSecondary; // log pi'_t, (N)
  private final double[] piSecondary; // pi'_t, (N)

  /**
   * Creates the solver at {@code start}.
   *
   * @param config uses {@code eta}
   */
  public OptimisticMirrorDescent(WinRateOracle oracle, double[] start, TabularConfig config) {
    super(oracle, start);
    this.eta = config.eta();
    this.zSecondary = z.clone();
    this.piSecondary = pi.clone();
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.ONPO;
  }

  @Override
  public void step() {
    winRates(pi); // r_t = P pi_t
    for (int i = 0; i < n; i++) {
      zSecondary[i] += eta * r[i]; // pi'_{t+1} ~ pi'_t exp(eta r_t)
    }
    LogPolicy.normalize(zSecondary, zSecondary, piSecondary);
    for (int i = 0; i < n; i++) {
      z[i] = zSecondary[i] + eta * r[i]; // pi_{t+1} ~ pi'_{t+1} exp(eta r_t)
    }
    LogPolicy.normalize(z, z, pi);
    t++;
  }
}
