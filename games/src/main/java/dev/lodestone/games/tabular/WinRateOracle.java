package dev.lodestone.games.tabular;

/**
 * The payoff function of a symmetric preference game, all that a tabular solver sees of it: the win
 * rates {@code r = P pi} of the pure strategies against a policy, where {@code P[i][j]} is the
 * probability that strategy i is preferred over strategy j.
 */
public interface WinRateOracle {

  /** Number of strategies N. */
  int size();

  /**
   * Writes {@code r = P pi} into {@code out}: {@code out[i]} is the probability that strategy i is
   * preferred over a response drawn from {@code pi}. Must not allocate: solvers call it every step.
   *
   * @param pi a policy (length N)
   * @param out receives the win rates (length N)
   */
  void winRates(double[] pi, double[] out);

  /** Allocating convenience form of {@link #winRates(double[], double[])}. */
  default double[] winRates(double[] pi) {
    double[] r = new double[size()];
    winRates(pi, r);
    return r;
  }

  /**
   * The duality gap {@code 2 max_i r_i - 1} of a policy from its win rates {@code r = P pi}: 0 at a
   * Nash equilibrium, positive elsewhere.
   */
  static double gap(double[] r) {
    return 2.0 * LogPolicy.max(r) - 1.0;
  }

  /**
   * An oracle over an explicit matrix (copied), for tests and for callers that hold {@code P}
   * themselves.
   */
  static WinRateOracle ofMatrix(double[][] p) {
    int n = p.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      if (p[i].length != n) {
        throw new IllegalArgumentException(
            "matrix row " + i + " has " + p[i].length + " entries, expected " + n);
      }
      m[i] = p[i].clone();
    }
    return new WinRateOracle() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public void winRates(double[] pi, double[] out) {
        for (int i = 0; i < n; i++) {
          double[] row = m[i];
          double s = 0.0;
          for (int j = 0; j < n; j++) {
            s += row[j] * pi[j];
          }
          out[i] = s;
        }
      }
    };
  }
}
