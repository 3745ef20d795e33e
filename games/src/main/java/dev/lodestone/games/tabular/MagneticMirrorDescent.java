package dev.lodestone.games.tabular;

/**
 * Magnetic Mirror Descent with a fixed magnet (Sokota et al., arXiv 2206.05825, the entropy
 * instance of their update), in self-play on the preference game:
 *
 * <pre>
 *   r_t = P pi_t
 *   pi_{t+1} ~ [ pi_t * rho^(eta alpha) * exp(eta r_t) ]^(1 / (1 + eta alpha))
 * </pre>
 *
 * <p>that is, in log space, {@code z_{t+1} = (z_t + eta alpha log rho + eta r_t) / (1 + eta alpha)}
 * normalized. The magnet {@code rho} (by default the start policy, the reference the warm-up
 * produced) never moves, so the iterate converges linearly to the equilibrium of the KL-regularized
 * game, {@code pi ~ rho exp(P pi / alpha)}, not to the game's Nash equilibrium: its gap stalls at
 * the regularized equilibrium's gap. Nash-MD, online IPO and INPO are alike.
 */
public final class MagneticMirrorDescent implements TabularSolver {

  private final WinRateOracle oracle;
  private final double eta;
  private final double alpha;
  private final int n;
  private final double[] z; // log pi_t, (N)
  private final double[] pi; // pi_t, (N)
  private final double[] logRho; // log rho, (N), fixed
  private final double[] r; // r_t = P pi_t, (N)
  private long t;

  /**
   * Creates the solver at {@code start}, with the magnet at {@code start}.
   *
   * @param config uses {@code eta} and {@code alpha}
   */
  public MagneticMirrorDescent(WinRateOracle oracle, double[] start, TabularConfig config) {
    this(oracle, start, start, config);
  }

  /**
   * Creates the solver at {@code start} with the magnet {@code rho}.
   *
   * @param config uses {@code eta} and {@code alpha}
   */
  public MagneticMirrorDescent(
      WinRateOracle oracle, double[] start, double[] rho, TabularConfig config) {
    this.oracle = oracle;
    this.n = oracle.size();
    this.eta = config.eta();
    this.alpha = config.alpha();
    this.pi = LogPolicy.checkPolicy(start, n, "start");
    this.z = LogPolicy.logOf(this.pi);
    LogPolicy.normalize(z, z, pi);
    this.logRho = LogPolicy.logOf(LogPolicy.checkPolicy(rho, n, "magnet"));
    this.r = new double[n];
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.MMD;
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  public void step() {
    oracle.winRates(pi, r);
    LogPolicy.checkWinRates(r);
    LogPolicy.mmdStep(z, logRho, r, eta, alpha, z, pi);
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
