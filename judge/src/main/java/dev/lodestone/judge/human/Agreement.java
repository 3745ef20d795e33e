package dev.lodestone.judge.human;

import dev.lodestone.schemas.avro.LabelVerdict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the human labels agree: Krippendorff's alpha between annotators over a sliding window of
 * pairs, and, where the task is a game, how often each annotator agrees with the game's preference.
 *
 * <p>Alpha is computed for nominal data (the four verdicts, {@link LabelVerdict}) over the last
 * {@code window} pairs that have at least two labels: alpha = 1 - D_o / D_e with the observed and
 * expected disagreement of the coincidence matrix (Krippendorff, "Computing Krippendorff's
 * Alpha-Reliability", 2011). It is 1 for perfect agreement, 0 for agreement at chance, and NaN
 * while fewer than two values have been paired or every value is the same.
 *
 * <p>Agreement with the game counts the labels of pairs whose game probability is not 1/2: a label
 * agrees when it prefers the response the game prefers; ties and "both bad" count as not agreeing.
 * Not thread-safe.
 */
public final class Agreement {
  private final int window;
  private final Map<String, List<LabelVerdict>> open = new HashMap<>();
  private final Deque<List<LabelVerdict>> units = new ArrayDeque<>();
  private final Map<String, long[]> withGame = new TreeMap<>();

  /**
   * @param window pairs with two or more labels that alpha is computed over
   */
  public Agreement(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, got " + window);
    }
    this.window = window;
  }

  /**
   * Records a label of a pair.
   *
   * @param pairKey the group id and pair
   * @param annotator who gave it
   * @param verdict its verdict
   * @param gamePreference the game's P(i over j), or NaN where the task is not a game
   * @param complete whether the pair now has all its labels (its unit is then closed)
   */
  public void record(
      String pairKey,
      String annotator,
      LabelVerdict verdict,
      double gamePreference,
      boolean complete) {
    List<LabelVerdict> unit = open.computeIfAbsent(pairKey, k -> new ArrayList<>());
    unit.add(verdict);
    if (complete) {
      open.remove(pairKey);
      if (unit.size() >= 2) {
        units.addLast(unit);
        while (units.size() > window) {
          units.removeFirst();
        }
      }
    }
    if (!Double.isNaN(gamePreference) && gamePreference != 0.5) {
      long[] c = withGame.computeIfAbsent(annotator, a -> new long[2]);
      boolean agrees =
          gamePreference > 0.5
              ? verdict == LabelVerdict.I_BETTER
              : verdict == LabelVerdict.J_BETTER;
      c[0] += agrees ? 1 : 0;
      c[1]++;
    }
  }

  /** Pairs in the window. */
  public int pairs() {
    return units.size();
  }

  /** Krippendorff's alpha (nominal) over the window. */
  public double alpha() {
    return nominalAlpha(new ArrayList<>(units));
  }

  /** Each annotator's share of labels agreeing with the game, and how many labels count. */
  public Map<String, double[]> withGame() {
    Map<String, double[]> r = new LinkedHashMap<>();
    withGame.forEach((a, c) -> r.put(a, new double[] {(double) c[0] / c[1], c[1]}));
    return r;
  }

  /**
   * Krippendorff's alpha for nominal values: units of any size, those with fewer than two values
   * ignored.
   */
  public static <T> double nominalAlpha(List<? extends List<T>> units) {
    Map<T, Map<T, Double>> o = new HashMap<>();
    Map<T, Double> marginal = new HashMap<>();
    double n = 0;
    for (List<T> unit : units) {
      int m = unit.size();
      if (m < 2) {
        continue;
      }
      for (int a = 0; a < m; a++) {
        for (int b = 0; b < m; b++) {
          if (a == b) {
            continue;
          }
          T c = unit.get(a);
          T k = unit.get(b);
          o.computeIfAbsent(c, x -> new HashMap<>()).merge(k, 1.0 / (m - 1), Double::sum);
        }
      }
      for (T v : unit) {
        marginal.merge(v, 1.0, Double::sum);
      }
      n += m;
    }
    if (n < 2) {
      return Double.NaN;
    }
    double observed = 0;
    for (Map.Entry<T, Map<T, Double>> row : o.entrySet()) {
      for (Map.Entry<T, Double> cell : row.getValue().entrySet()) {
        if (!row.getKey().equals(cell.getKey())) {
          observed += cell.getValue();
        }
      }
    }
    double expected = 0;
    for (Map.Entry<T, Double> c : marginal.entrySet()) {
      for (Map.Entry<T, Double> k : marginal.entrySet()) {
        if (!c.getKey().equals(k.getKey())) {
          expected += c.getValue() * k.getValue();
        }
      }
    }
    if (expected == 0) {
      return Double.NaN;
    }
    return 1 - (n - 1) * observed / expected;
  }
}
