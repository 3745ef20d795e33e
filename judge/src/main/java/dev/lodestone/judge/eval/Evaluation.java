package dev.lodestone.judge.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How good a policy is on a game, exactly (docs/design.md, "The game" and "Games").
 *
 * @param strategies the game's strategies, in order
 * @param distribution the policy's exact answer distribution
 * @param exploitability how much more than 1/2 a best responder wins against the policy, invalid
 *     answers losing to every valid one; 0 exactly at a Nash equilibrium
 * @param winRateVsReference {@code J(pi, pi_ref)}: the probability that the policy's answer is
 *     preferred over the reference policy's (invalid answers lose to valid ones, tie with each
 *     other); 1/2 against itself
 */
public record Evaluation(
    List<String> strategies,
    StrategyDistribution distribution,
    double exploitability,
    double winRateVsReference) {

  /** Metric name of the exploitability. */
  public static final String EXPLOITABILITY = "eval/exploitability";

  /** Metric name of the win rate against the reference (warm-up) policy. */
  public static final String WIN_RATE_VS_INITIAL = "eval/winRateVsInitial";

  /** Metric name of the invalid mass. */
  public static final String INVALID_MASS = "eval/invalidMass";

  /** Prefix of the metric names of the strategy probabilities: {@code eval/prob/<strategy>}. */
  public static final String PROBABILITY_PREFIX = "eval/prob/";

  /** Checks the parts. */
  public Evaluation {
    strategies = List.copyOf(strategies);
    Objects.requireNonNull(distribution, "distribution");
    if (distribution.size() != strategies.size()) {
      throw new IllegalArgumentException(
          "the distribution has "
              + distribution.size()
              + " entries for "
              + strategies.size()
              + " strategies");
    }
  }

  /** The invalid mass of the distribution. */
  public double invalidMass() {
    return distribution.invalidMass();
  }

  /**
   * The values under their metric names: {@value #EXPLOITABILITY}, {@value #WIN_RATE_VS_INITIAL},
   * {@value #INVALID_MASS} and {@code eval/prob/<strategy>} per strategy.
   */
  public Map<String, Double> metricValues() {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put(EXPLOITABILITY, exploitability);
    values.put(WIN_RATE_VS_INITIAL, winRateVsReference);
    values.put(INVALID_MASS, distribution.invalidMass());
    for (int i = 0; i < strategies.size(); i++) {
      values.put(PROBABILITY_PREFIX + strategies.get(i), distribution.probability(i));
    }
    return values;
  }
}
