package dev.lodestone.judge.eval;

import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.PolicyModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The evaluation of a policy on a preference game, as pure functions (for the {@link Evaluator}
 * service, reports and benchmarks).
 *
 * <ul>
 *   <li>Strategy probabilities by teacher forcing: {@code p_s = exp(log pi(s + EOS | prompt))}, the
 *       probability that sampling produces exactly strategy {@code s} and stops; the invalid mass
 *       is {@code 1 - sum_s p_s}.
 *   <li>Exploitability: {@link PreferenceGame#exploitability(double[])} of those probabilities (the
 *       leftover mass counts as invalid answers, which lose to every valid one).
 *   <li>Win rate against a reference policy with distribution {@code q} (invalid mass {@code q_0}),
 *       policy {@code p} (invalid mass {@code p_0}):
 *       <pre>
 *   J(p, q) = sum_i sum_j p_i P[i][j] q_j  +  (1 - p_0) q_0 * 1  +  p_0 (1 - q_0) * 0  +  p_0 q_0 / 2
 *       </pre>
 *       (valid beats invalid, invalid ties invalid). {@code J(p, p) = 1/2} for every {@code p},
 *       since {@code P + P^T = 1}.
 * </ul>
 */
public final class PolicyEvaluation {
  private PolicyEvaluation() {}

  /** Exact log-probabilities of complete responses; {@link PolicyModel#sequenceLogProbs} is one. */
  @FunctionalInterface
  public interface SequenceScorer {
    /** {@code log pi(response | prompt)} of each response (responses end with EOS). */
    double[] sequenceLogProbs(int[] prompt, List<int[]> responses);
  }

  /**
   * The model's exact answer distribution on the game, for the given prompt.
   *
   * @throws IllegalArgumentException when a strategy cannot be encoded in the model's vocabulary or
   *     does not fit its context with the prompt
   */
  public static StrategyDistribution distribution(
      PolicyModel model, PreferenceGame game, String prompt) {
    return distribution(model::sequenceLogProbs, model.tokenizer(), game, prompt);
  }

  /** The answer distribution from any scorer (the prompt is encoded by {@code tokenizer}). */
  public static StrategyDistribution distribution(
      SequenceScorer scorer, ByteTokenizer tokenizer, PreferenceGame game, String prompt) {
    Objects.requireNonNull(scorer, "scorer");
    Objects.requireNonNull(game, "game");
    int[] promptTokens = tokenizer.encodePrompt(prompt);
    List<int[]> responses = new ArrayList<>(game.size());
    for (String s : game.strategies()) {
      responses.add(tokenizer.encodeResponse(s, true));
    }
    double[] logProbs = scorer.sequenceLogProbs(promptTokens, responses);
    if (logProbs.length != game.size()) {
      throw new IllegalStateException(
          "the scorer returned " + logProbs.length + " log-probabilities for " + game.size());
    }
    double[] p = new double[logProbs.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logProbs[i]);
    }
    return StrategyDistribution.of(p);
  }

  /** {@code J(pi, reference)}, see the class comment. */
  public static double winRate(
      StrategyDistribution pi, StrategyDistribution reference, PreferenceGame game) {
    checkSize(pi, game, "pi");
    checkSize(reference, game, "reference");
    int n = game.size();
    double valid = 0;
    for (int i = 0; i < n; i++) {
      double row = 0;
      for (int j = 0; j < n; j++) {
        row += game.preference(i, j) * reference.probability(j);
      }
      valid += pi.probability(i) * row;
    }
    double p0 = pi.invalidMass();
    double q0 = reference.invalidMass();
    return valid + (1 - p0) * q0 + 0.5 * p0 * q0;
  }

  /** The exploitability of the distribution (invalid mass counted as losing answers). */
  public static double exploitability(StrategyDistribution pi, PreferenceGame game) {
    checkSize(pi, game, "pi");
    return game.exploitability(pi.probabilities());
  }

  /** The evaluation of a distribution against a reference distribution. */
  public static Evaluation evaluate(
      StrategyDistribution pi, StrategyDistribution reference, PreferenceGame game) {
    return new Evaluation(
        game.strategies(), pi, exploitability(pi, game), winRate(pi, reference, game));
  }

  /** The evaluation of a model on the game's prompt against a reference distribution. */
  public static Evaluation evaluate(
      PolicyModel model, PreferenceGame game, String prompt, StrategyDistribution reference) {
    return evaluate(distribution(model, game, prompt), reference, game);
  }

  /**
   * The evaluation of a model on the game's own prompt against a reference model (for example the
   * warm-up policy), both scored exactly.
   */
  public static Evaluation evaluate(PolicyModel model, PolicyModel reference, PreferenceGame game) {
    return evaluate(model, game, game.prompt(), distribution(reference, game, game.prompt()));
  }

  private static void checkSize(StrategyDistribution d, PreferenceGame game, String what) {
    if (d.size() != game.size()) {
      throw new IllegalArgumentException(
          what + " has " + d.size() + " strategies, game '" + game.name() + "' has " + game.size());
    }
  }
}
