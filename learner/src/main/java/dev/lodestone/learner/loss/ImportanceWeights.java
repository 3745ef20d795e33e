package dev.lodestone.learner.loss;

import java.util.Locale;

/**
 * How the policy-gradient term weighs a response's tokens for being drawn from mu and not from
 * pi_theta ({@code --importance-weights}).
 */
public enum ImportanceWeights {
  /**
   * Each token by its own ratio, {@code w_k = min(pi_theta(y_k|s_k) / mu(y_k|s_k), c)}: the exact
   * policy gradient for one-token responses, and PPO's per-token approximation for longer ones.
   */
  TOKEN,
  /**
   * Every token of a response by the response's sequence ratio, {@code w = min(prod_k
   * pi_theta(y_k|s_k) / mu(y_k|s_k), c)}: the importance weight of the whole response, unbiased (up
   * to the truncation) for any length, with a larger variance.
   */
  SEQUENCE;

  /** The command line's name: {@code token} or {@code sequence}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code token} or {@code sequence}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ImportanceWeights parse(String text) {
    for (ImportanceWeights w : values()) {
      if (w.id().equalsIgnoreCase(text == null ? "" : text.strip())) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "importanceWeights must be token or sequence, got '" + text + "'");
  }
}
