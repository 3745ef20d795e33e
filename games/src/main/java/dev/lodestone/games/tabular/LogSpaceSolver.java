package dev.lodestone.games.tabular;

/**
 * What every tabular solver holds: the payoff oracle, the iterate {@code pi_t} in log space and as
 * probabilities, the win rates of the last oracle call and the step count. The iterate starts at a
 * checked, normalized copy of the start policy.
 */
abstract class LogSpaceSolver implements TabularSolver {
  /** The payoff function. */
  protected final WinRateOracle oracle;

  /** N, the number of strategies. */
  protected final int n;

  /** log pi_t, normalized (N). */
  protected final double[] z;

  /** pi_t (N). */
  protected final double[] pi;

  /** The win rates of the last {@link #winRates} call (N). */
  protected final double[] r;

  /** Steps applied. */
  protected long t;

  LogSpaceSolver(WinRateOracle oracle, double[] start) {
    this.oracle = oracle;
    this.n = oracle.size();
    this.pi = LogPolicy.checkPolicy(start, n, "start");
    this.z = LogPolicy.logOf(this.pi);
    LogPolicy.normalize(z, z, pi);
    this.r = new double[n];
  }

  /** Writes {@code P policy} into {@link #r} and checks it. */
  protected final void winRates(double[] policy) {
    oracle.winRates(policy, r);
    LogPolicy.checkWinRates(r);
  }

  @Override
  public final int size() {
    return n;
  }

  @Override
  public final long iterations() {
    return t;
  }

  @Override
  public void policy(double[] out) {
    System.arraycopy(pi, 0, out, 0, n);
  }
}
