package dev.lodestone.infra.run;

import java.util.Map;

/**
 * One evaluation of a policy version, as the evaluator published it to {@code metrics}.
 *
 * @param step the learner step of the version
 * @param policyVersion the version
 * @param exploitability its exact exploitability
 * @param winRateVsInitial its win rate against the warm-up policy
 * @param invalidMass its probability of answering none of the strategies
 * @param probabilities each strategy's probability, by name, in the game's order
 */
public record EvalPoint(
    long step,
    long policyVersion,
    double exploitability,
    double winRateVsInitial,
    double invalidMass,
    Map<String, Double> probabilities) {

  /** Copies the map. */
  public EvalPoint {
    probabilities =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(probabilities));
  }
}
