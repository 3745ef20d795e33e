package dev.lodestone.games.tabular;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The record of one solver run: the duality gap of the last iterate after every step, and for
 * algorithms that report one, of the average iterate.
 *
 * @param algorithm the algorithm that ran
 * @param gaps {@code gaps[t]} = gap of the last iterate after t steps, t = 0..iterations
 * @param averageGaps the same for the average iterate, or null if the algorithm has none
 * @param policy the last iterate at the end
 * @param averagePolicy the average iterate at the end, or null
 */
public record SolverTrace(
    Algorithm algorithm,
    double[] gaps,
    double[] averageGaps,
    double[] policy,
    double[] averagePolicy) {

  /** Validates and copies the arrays. */
  public SolverTrace {
    if (algorithm == null) {
      throw new IllegalArgumentException("algorithm must not be null");
    }
    if (gaps == null || gaps.length == 0) {
      throw new IllegalArgumentException("gaps must hold at least the start's gap");
    }
    if (averageGaps != null && averageGaps.length != gaps.length) {
      throw new IllegalArgumentException(
          "averageGaps has " + averageGaps.length + " entries, gaps " + gaps.length);
    }
    if (policy == null) {
      throw new IllegalArgumentException("policy must not be null");
    }
    if ((averageGaps == null) != (averagePolicy == null)) {
      throw new IllegalArgumentException("averageGaps and averagePolicy come together");
    }
    gaps = gaps.clone();
    averageGaps = averageGaps == null ? null : averageGaps.clone();
    policy = policy.clone();
    averagePolicy = averagePolicy == null ? null : averagePolicy.clone();
  }

  /** Number of steps run. */
  public int iterations() {
    return gaps.length - 1;
  }

  /** Gap of the last iterate at the end. */
  public double finalGap() {
    return gaps[gaps.length - 1];
  }

  /** Whether an average iterate was recorded. */
  public boolean hasAverage() {
    return averageGaps != null;
  }

  /** Gap of the average iterate at the end. */
  public double finalAverageGap() {
    if (averageGaps == null) {
      throw new IllegalStateException(algorithm.cliName() + " has no average iterate");
    }
    return averageGaps[averageGaps.length - 1];
  }

  /**
   * Iterations until the last iterate's gap settles at or below {@code threshold}: the smallest t
   * such that {@code gaps[s] <= threshold} for every s from t to the end of the run; empty if the
   * final gap is above it. A gap that dips below the threshold and leaves it again does not count.
   */
  public OptionalInt itersTo(double threshold) {
    return settle(gaps, threshold);
  }

  /** {@link #itersTo(double)} for the average iterate. */
  public OptionalInt averageItersTo(double threshold) {
    if (averageGaps == null) {
      throw new IllegalStateException(algorithm.cliName() + " has no average iterate");
    }
    return settle(averageGaps, threshold);
  }

  private static OptionalInt settle(double[] g, double threshold) {
    int t = g.length;
    while (t > 0 && g[t - 1] <= threshold) {
      t--;
    }
    return t == g.length ? OptionalInt.empty() : OptionalInt.of(t);
  }

  /** The thresholds of {@link #itersToThresholds}, with their report keys. */
  public static final Map<String, Double> THRESHOLDS = Map.of("1e-3", 1e-3, "1e-6", 1e-6);

  /**
   * Iterations to each of {@link #THRESHOLDS} (key order 1e-3, 1e-6), of the last iterate or of the
   * average; null where the gap never got there.
   */
  public Map<String, Object> itersToThresholds(boolean average) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String key : List.of("1e-3", "1e-6")) {
      double threshold = THRESHOLDS.get(key);
      OptionalInt n = average ? averageItersTo(threshold) : itersTo(threshold);
      m.put(key, n.isPresent() ? n.getAsInt() : null);
    }
    return m;
  }
}
