package dev.lodestone.games;

import dev.lodestone.games.tabular.WinRateOracle;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A finite symmetric preference game (docs/design.md, "The game" and "Games"): named strategies and
 * a preference matrix {@code P}, where {@code P[i][j]} is the probability that strategy {@code i}
 * is preferred over strategy {@code j}. It is the two-player constant-sum game whose value is 1/2.
 *
 * <p>Immutable and validated at construction; every validation error is an {@link
 * InvalidGameException} that names the game, the field or cell, and the bad value:
 *
 * <ul>
 *   <li>a non-blank name and a non-null prompt;
 *   <li>at least two strategies, each non-empty, all distinct;
 *   <li>{@code P} square with one row and one column per strategy, every entry finite and in [0,
 *       1], {@code P[i][i] = 1/2} and {@code P[i][j] + P[j][i] = 1}, both within {@value
 *       #TOLERANCE};
 *   <li>{@code initial}, if given, a probability vector with one entry per strategy (entries finite
 *       and non-negative, summing to 1 within {@value #TOLERANCE}).
 * </ul>
 *
 * <p>Responses are judged by the rule of docs/design.md: a response that is not one of the
 * strategies loses to every valid response and ties (1/2) with every other invalid one.
 */
public final class PreferenceGame implements WinRateOracle {

  /** Tolerance of the symmetry, diagonal and probability-sum checks. */
  public static final double TOLERANCE = 1e-9;

  private final String name;
  private final String prompt;
  private final List<String> strategies;
  private final double[][] preferences;
  private final double[] initial;
  private final Map<String, Integer> index;

  /**
   * Creates and validates a game.
   *
   * @param name the game's name, for messages and reports
   * @param prompt the prompt that asks for a strategy (may be empty, not null)
   * @param strategies the strategy strings, in matrix order
   * @param preferences {@code P[i][j]} = probability that strategy i is preferred over strategy j
   * @param initial the skewed distribution the warm-up teaches, or null if the game has none
   * @throws InvalidGameException if any rule above is broken
   */
  public PreferenceGame(
      String name,
      String prompt,
      List<String> strategies,
      double[][] preferences,
      double[] initial) {
    if (name == null || name.isBlank()) {
      throw new InvalidGameException("game name must be non-blank, got " + quote(name));
    }
    this.name = name;
    if (prompt == null) {
      throw new InvalidGameException(where() + "prompt is missing");
    }
    this.prompt = prompt;
    this.strategies = validateStrategies(strategies);
    this.preferences = validatePreferences(preferences, this.strategies.size());
    this.initial = initial == null ? null : validateInitial(initial, this.strategies.size());
    Map<String, Integer> idx = new HashMap<>();
    for (int i = 0; i < this.strategies.size(); i++) {
      idx.put(this.strategies.get(i), i);
    }
    this.index = Collections.unmodifiableMap(idx);
  }

  private String where() {
    return "game '" + name + "': ";
  }

  private List<String> validateStrategies(List<String> given) {
    if (given == null) {
      throw new InvalidGameException(where() + "strategies are missing");
    }
    if (given.size() < 2) {
      throw new InvalidGameException(where() + "needs at least 2 strategies, got " + given.size());
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < given.size(); i++) {
      String s = given.get(i);
      if (s == null || s.isEmpty()) {
        throw new InvalidGameException(
            where() + "strategies[" + i + "] must be a non-empty string, got " + quote(s));
      }
      Integer before = seen.putIfAbsent(s, i);
      if (before != null) {
        throw new InvalidGameException(
            where()
                + "strategies["
                + i
                + "] = "
                + quote(s)
                + " repeats strategies["
                + before
                + "]; strategy names must be unique");
      }
    }
    return List.copyOf(given);
  }

  private double[][] validatePreferences(double[][] p, int n) {
    if (p == null) {
      throw new InvalidGameException(where() + "preferences are missing");
    }
    if (p.length != n) {
      throw new InvalidGameException(
          where() + "preferences has " + p.length + " rows, expected " + n + " (one per strategy)");
    }
    double[][] copy = new double[n][];
    for (int i = 0; i < n; i++) {
      if (p[i] == null || p[i].length != n) {
        throw new InvalidGameException(
            where()
                + "preferences["
                + i
                + "] has "
                + (p[i] == null ? "no" : String.valueOf(p[i].length))
                + " entries, expected "
                + n
                + " (the matrix must be square)");
      }
      copy[i] = p[i].clone();
      for (int j = 0; j < n; j++) {
        double v = copy[i][j];
        if (!Double.isFinite(v) || v < 0.0 || v > 1.0) {
          throw new InvalidGameException(
              where() + cell(i, j) + " = " + v + " is not a probability in [0, 1]");
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (Math.abs(copy[i][i] - 0.5) > TOLERANCE) {
        throw new InvalidGameException(
            where() + cell(i, i) + " = " + copy[i][i] + " must be 1/2 (a strategy ties itself)");
      }
      for (int j = i + 1; j < n; j++) {
        double sum = copy[i][j] + copy[j][i];
        if (Math.abs(sum - 1.0) > TOLERANCE) {
          throw new InvalidGameException(
              where()
                  + cell(i, j)
                  + " + "
                  + cell(j, i)
                  + " = "
                  + copy[i][j]
                  + " + "
                  + copy[j][i]
                  + " = "
                  + sum
                  + ", must be 1 within "
                  + TOLERANCE);
        }
      }
    }
    return copy;
  }

  private double[] validateInitial(double[] init, int n) {
    if (init.length != n) {
      throw new InvalidGameException(
          where() + "initial has " + init.length + " entries, expected " + n);
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
      double v = init[i];
      if (!Double.isFinite(v) || v < 0.0) {
        throw new InvalidGameException(
            where() + "initial[" + i + "] = " + v + " must be a finite non-negative probability");
      }
      sum += v;
    }
    if (Math.abs(sum - 1.0) > TOLERANCE) {
      throw new InvalidGameException(
          where() + "initial sums to " + sum + ", must sum to 1 within " + TOLERANCE);
    }
    return init.clone();
  }

  private static String cell(int i, int j) {
    return "preferences[" + i + "][" + j + "]";
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }

  /** The game's name. */
  public String name() {
    return name;
  }

  /** The prompt that asks for a strategy. */
  public String prompt() {
    return prompt;
  }

  /** The strategy strings, in matrix order (an unmodifiable list). */
  public List<String> strategies() {
    return strategies;
  }

  /** Number of strategies N. */
  @Override
  public int size() {
    return strategies.size();
  }

  /**
   * {@code P[i][j]}: the probability that strategy {@code i} is preferred over strategy {@code j}.
   */
  public double preference(int i, int j) {
    return preferences[i][j];
  }

  /** A copy of the preference matrix. */
  public double[][] preferences() {
    double[][] copy = new double[preferences.length][];
    for (int i = 0; i < preferences.length; i++) {
      copy[i] = preferences[i].clone();
    }
    return copy;
  }

  /** A copy of the skewed initial distribution, if the game has one. */
  public Optional<double[]> initial() {
    return initial == null ? Optional.empty() : Optional.of(initial.clone());
  }

  /** The index of {@code response} among the strategies, or -1 if it is not a valid response. */
  public int indexOf(String response) {
    Integer i = response == null ? null : index.get(response);
    return i == null ? -1 : i;
  }

  /**
   * The probability that response {@code a} is preferred over response {@code b}: {@code P[i][j]}
   * for two valid responses; an invalid response loses to every valid one (0 or 1) and ties (1/2)
   * with another invalid one.
   */
  public double judge(String a, String b) {
    int i = indexOf(a);
    int j = indexOf(b);
    if (i >= 0 && j >= 0) {
      return preferences[i][j];
    }
    if (i >= 0) {
      return 1.0;
    }
    if (j >= 0) {
      return 0.0;
    }
    return 0.5;
  }

  /**
   * Win rates of the pure strategies against a policy, {@code r = P pi}: {@code r[i]} is the
   * probability that strategy i is preferred over a response drawn from {@code pi}.
   *
   * @param pi a probability vector over the strategies
   */
  public double[] winRates(double[] pi) {
    checkPolicy(pi, "pi");
    double[] r = new double[size()];
    winRatesInto(pi, r);
    return r;
  }

  /** The tabular solvers' view of the game: {@link #winRatesInto}. */
  @Override
  public void winRates(double[] pi, double[] out) {
    winRatesInto(pi, out);
  }

  /**
   * Writes {@code r = P x} into {@code out} without checks or allocation (the tabular solvers call
   * this in their inner loops; {@code x} need not sum to 1).
   */
  public void winRatesInto(double[] x, double[] out) {
    int n = preferences.length;
    for (int i = 0; i < n; i++) {
      double[] row = preferences[i];
      double s = 0.0;
      for (int j = 0; j < n; j++) {
        s += row[j] * x[j];
      }
      out[i] = s;
    }
  }

  /**
   * The duality gap {@code 2 max_i (P pi)_i - 1} (docs/design.md, "The game"): 0 exactly at a Nash
   * equilibrium, positive elsewhere, at most 1.
   */
  public double gap(double[] pi) {
    double[] r = winRates(pi);
    double max = Double.NEGATIVE_INFINITY;
    for (double v : r) {
      max = Math.max(max, v);
    }
    return 2.0 * max - 1.0;
  }

  /**
   * The exploitability of a language model's answer distribution: how much more than 1/2 a best
   * responder wins against it. {@code strategyProbs[i]} is the model's probability of producing
   * strategy i exactly; the mass they leave out ({@code 1 - sum}) is counted as invalid responses,
   * which lose to every valid response. For a full probability vector this is {@code gap(pi) / 2}.
   *
   * @param strategyProbs non-negative probabilities of the strategies, summing to at most 1
   */
  public double exploitability(double[] strategyProbs) {
    checkLength(strategyProbs, "strategyProbs");
    double sum = 0.0;
    for (int i = 0; i < strategyProbs.length; i++) {
      double v = strategyProbs[i];
      if (!Double.isFinite(v) || v < 0.0) {
        throw new IllegalArgumentException(
            "strategyProbs[" + i + "] = " + v + " must be a finite non-negative probability");
      }
      sum += v;
    }
    if (sum > 1.0 + TOLERANCE) {
      throw new IllegalArgumentException(
          "strategyProbs sum to " + sum + ", more than 1 (the leftover mass is the invalid mass)");
    }
    double invalid = Math.max(0.0, 1.0 - sum);
    double[] r = new double[size()];
    winRatesInto(strategyProbs, r);
    // A valid best response wins (P q)_i against the valid mass and always beats the invalid
    // mass; an invalid best response would only tie the invalid mass, so a valid one is best.
    double best = Double.NEGATIVE_INFINITY;
    for (double v : r) {
      best = Math.max(best, v + invalid);
    }
    return best - 0.5;
  }

  /**
   * The pure best response to {@code pi}: the strategy with the highest win rate (lowest index on
   * ties).
   */
  public int bestResponse(double[] pi) {
    double[] r = winRates(pi);
    int best = 0;
    for (int i = 1; i < r.length; i++) {
      if (r[i] > r[best]) {
        best = i;
      }
    }
    return best;
  }

  private void checkLength(double[] v, String what) {
    if (v == null || v.length != size()) {
      throw new IllegalArgumentException(
          what
              + " has "
              + (v == null ? "no" : String.valueOf(v.length))
              + " entries, game '"
              + name
              + "' has "
              + size()
              + " strategies");
    }
  }

  private void checkPolicy(double[] pi, String what) {
    checkLength(pi, what);
    double sum = 0.0;
    for (int i = 0; i < pi.length; i++) {
      if (!Double.isFinite(pi[i]) || pi[i] < 0.0) {
        throw new IllegalArgumentException(
            what + "[" + i + "] = " + pi[i] + " must be a finite non-negative probability");
      }
      sum += pi[i];
    }
    if (Math.abs(sum - 1.0) > 1e-6) {
      throw new IllegalArgumentException(what + " sums to " + sum + ", must be 1");
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof PreferenceGame g)) {
      return false;
    }
    return name.equals(g.name)
        && prompt.equals(g.prompt)
        && strategies.equals(g.strategies)
        && Arrays.deepEquals(preferences, g.preferences)
        && Arrays.equals(initial, g.initial);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + strategies.hashCode()) + Arrays.deepHashCode(preferences);
  }

  @Override
  public String toString() {
    return "PreferenceGame[" + name + ", " + size() + " strategies]";
  }
}
