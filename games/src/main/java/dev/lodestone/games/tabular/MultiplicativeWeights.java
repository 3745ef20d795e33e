package dev.lodestone.games.tabular;

/**
 * Online mirror descent with the entropy, that is multiplicative weights (Hedge), in self-play:
 *
 * <pre>
 *   r_t = P pi_t
 *   pi_{t+1}(i) = pi_t(i) exp(eta r_t(i)) / Z_t
 * </pre>
 *
 * <p>Freund and Schapire's Hedge, the update of SPO (Swamy et al., arXiv 2401.04056) and of SPPO's
 * idealized iteration (Wu et al., arXiv 2405.00675, Section 3). In a game whose equilibrium is
 * mixed the last iterate does not converge (it cycles out towards the boundary of the simplex); the
 * average iterate {@code (1/(t+1)) sum_{s<=t} pi_s} converges to a Nash equilibrium, its gap
 * bounded by {@code O(log N / (eta t) + eta)}. Both iterates are reported.
 */
public final class MultiplicativeWeights extends LogSpaceSolver {

  private final double eta;
  private final double[] sum; // sum_{s<=t} pi_s, (N)

  /**
   * Creates the solver at {@code start}.
   *
   * @param config uses {@code eta}
   */
  public MultiplicativeWeights(WinRateOracle oracle, double[] start, TabularConfig config) {
    super(oracle, start);
    this.eta = config.eta();
    this.sum = pi.clone();
  }

  @Override
  public Algorithm algorithm() {
    return Algorithm.OMD;
  }

  @Override
  public void step() {
    winRates(pi);
    for (int i = 0; i < n; i++) {
      z[i] += eta * r[i]; // log pi_t + eta r_t
    }
    LogPolicy.normalize(z, z, pi); // - log Z_t
    for (int i = 0; i < n; i++) {
      sum[i] += pi[i];
    }
    t++;
  }

  @Override
  public boolean hasAverage() {
    return true;
  }

  @Override
  public void averagePolicy(double[] out) {
    double total = 0.0;
    for (int i = 0; i < n; i++) {
      total += sum[i];
    }
    for (int i = 0; i < n; i++) {
      out[i] = sum[i] / total;
    }
  }
}
