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
public final class MagneticMirrorDescent extends LogSpaceSolver {

  private final double eta;
  private final double alpha;
  private final double[] logRho; // log rho, (N), fixed

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
    super(oracle, start);
    this.eta = config.eta();
    this.alpha = config.alpha();
    this.logRho = LogPolicy.logOf(LogPolicy.checkPolicy(rho, n, "magnet"));
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.MMD;
  }

  @Override
  public void step() {
    winRates(pi);
    LogPolicy.mmdStep(z, logRho, r, eta, alpha, z, pi);
    t++;
  }
}
