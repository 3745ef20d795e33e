package dev.lodestone.games.tabular;

/**
 * Runs a tabular solver for a number of steps and records the duality gap of its iterates, from the
 * oracle alone: {@code gap(pi) = 2 max_i (P pi)_i - 1}. The recording allocates nothing per step
 * beyond the trace arrays, which are sized up front.
 */
public final class SolverRunner {

  /** Most iterations one run may record. */
  public static final int MAX_ITERATIONS = 10_000_000;

  private SolverRunner() {}

  /**
   * Steps {@code solver} {@code iterations} times, measuring every iterate with {@code oracle}.
   *
   * @param oracle the same game's payoff function (used here for measurement only)
   * @param iterations number of steps, at least 0
   */
  public static SolverTrace run(TabularSolver solver, WinRateOracle oracle, int iterations) {
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    }
    if (oracle.size() != solver.size()) {
      throw new IllegalArgumentException(
          "oracle has " + oracle.size() + " strategies, solver " + solver.size());
    }
    int n = solver.size();
    double[] pi = new double[n];
    double[] r = new double[n];
    double[] gaps = new double[iterations + 1];
    boolean average = solver.hasAverage();
    double[] averageGaps = average ? new double[iterations + 1] : null;
    for (int t = 0; ; t++) {
      solver.policy(pi);
      oracle.winRates(pi, r);
      gaps[t] = WinRateOracle.gap(r);
      if (average) {
        solver.averagePolicy(pi);
        oracle.winRates(pi, r);
        averageGaps[t] = WinRateOracle.gap(r);
      }
      if (t == iterations) {
        break;
      }
      solver.step();
    }
    double[] last = solver.policy();
    double[] avg = null;
    if (average) {
      avg = new double[n];
      solver.averagePolicy(avg);
    }
    return new SolverTrace(solver.algorithm(), gaps, averageGaps, last, avg);
  }
}
