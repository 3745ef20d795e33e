package dev.lodestone.games.tabular;

/**
 * An iterative tabular solver of a symmetric preference game. Each {@link #step()} applies the
 * algorithm's update once, with one call of the {@link WinRateOracle} (the first step may make one
 * more, to evaluate the start policy).
 *
 * <p>Not thread-safe. The policy accessors copy into a caller's buffer so that a runner can watch
 * every iterate without allocating.
 */
public interface TabularSolver {

  /** The algorithm this solver runs. */
  Algorithm algorithm();

  /** Number of strategies N. */
  int size();

  /** Applies one update. */
  void step();

  /** Number of updates applied so far. */
  long iterations();

  /** Copies the current (last) iterate {@code pi_t} into {@code out} (length N). */
  void policy(double[] out);

  /** A copy of the current (last) iterate. */
  default double[] policy() {
    double[] out = new double[size()];
    policy(out);
    return out;
  }

  /** Whether the solver also reports an average iterate (multiplicative weights does). */
  default boolean hasAverage() {
    return false;
  }

  /**
   * Copies the average iterate {@code (1/(t+1)) sum_{s<=t} pi_s} into {@code out}.
   *
   * @throws UnsupportedOperationException if {@link #hasAverage()} is false
   */
  default void averagePolicy(double[] out) {
    throw new UnsupportedOperationException(algorithm().cliName() + " reports no average iterate");
  }
}
