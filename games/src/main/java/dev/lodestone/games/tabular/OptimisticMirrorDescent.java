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
public final class OptimisticMirrorDescent implements TabularSolver {

  private final WinRateOracle oracle;
  private final double eta;
  private final int n;
  private final double[] zSecondary; // log pi'_t, (N)
  private final double[] z; // log pi_t, (N)
  private final double[] pi; // pi_t, (N)
  private final double[] piSecondary; // pi'_t, (N)
  private final double[] r; // r_t, (N)
  private long t;

  /**
   * Creates the solver at {@code start}.
   *
   * @param config uses {@code eta}
   */
  public OptimisticMirrorDescent(WinRateOracle oracle, double[] start, TabularConfig config) {
    this.oracle = oracle;
    this.n = oracle.size();
    this.eta = config.eta();
    this.pi = LogPolicy.checkPolicy(start, n, "start");
    this.z = LogPolicy.logOf(this.pi);
    LogPolicy.normalize(z, z, pi);
    this.zSecondary = z.clone();
    this.piSecondary = pi.clone();
    this.r = new double[n];
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.ONPO;
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public void step() {
    oracle.winRates(pi, r); // r_t = P pi_t
    LogPolicy.checkWinRates(r);
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

  @Override
  public long iterations() {
    return t;
  }

  @Override
  public void policy(double[] out) {
    System.arraycopy(pi, 0, out, 0, n);
  }
}
