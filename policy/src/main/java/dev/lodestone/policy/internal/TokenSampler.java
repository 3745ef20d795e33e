package dev.lodestone.policy.internal;

import java.util.random.RandomGenerator;

/**
 * Draws one token from a row of logits on the host, with temperature and nucleus (top-p)
 * truncation, in double precision. The only randomness is one {@code nextDouble()} per call, so a
 * seeded generator gives the same tokens on every run.
 */
public final class TokenSampler {

  private final int vocab;
  private final double temperature;
  private final double topP;
  private final double[] weights;
  private final Integer[] order;

  /** A sampler for rows of {@code vocab} logits. */
  public TokenSampler(int vocab, double temperature, double topP) {
    this.vocab = vocab;
    this.temperature = temperature;
    this.topP = topP;
    this.weights = new double[vocab];
    this.order = new Integer[vocab];
  }

  /** The token drawn and its log-probability under the distribution it was drawn from. */
  public record Draw(int token, double logProb) {}

  /**
   * Draws from {@code logits[offset .. offset + vocab)}.
   *
   * @param rng consulted once, unless the temperature is 0 (greedy: not at all)
   */
  public Draw draw(float[] logits, int offset, RandomGenerator rng) {
    if (temperature == 0) {
      int best = 0;
      float bestValue = logits[offset];
      for (int i = 1; i < vocab; i++) {
        if (logits[offset + i] > bestValue) {
          bestValue = logits[offset + i];
          best = i;
        }
      }
      return new Draw(best, 0.0);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i] / temperature);
    }
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      double w = Math.exp(logits[offset + i] / temperature - max);
      weights[i] = w;
      total += w;
    }
    if (topP >= 1.0) {
      double u = rng.nextDouble() * total;
      int chosen = lastPositive();
      double acc = 0;
      for (int i = 0; i < vocab; i++) {
        acc += weights[i];
        if (u < acc && weights[i] > 0) {
          chosen = i;
          break;
        }
      }
      return new Draw(chosen, Math.log(weights[chosen] / total));
    }
    // Nucleus: most likely first (ties by id), keep the shortest prefix reaching topP.
    for (int i = 0; i < vocab; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
        order,
        (a, b) -> {
          int c = Double.compare(weights[b], weights[a]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    double threshold = topP * total;
    double kept = 0;
    int keep = 0;
    while (keep < vocab) {
      kept += weights[order[keep]];
      keep++;
      if (kept >= threshold) {
        break;
      }
    }
    double u = rng.nextDouble() * kept;
    int chosen = order[keep - 1];
    double acc = 0;
    for (int k = 0; k < keep; k++) {
      acc += weights[order[k]];
      if (u < acc) {
        chosen = order[k];
        break;
      }
    }
    return new Draw(chosen, Math.log(weights[chosen] / kept));
  }

  private int lastPositive() {
    for (int i = vocab - 1; i >= 0; i--) {
      if (weights[i] > 0) {
        return i;
      }
    }
    return 0;
  }
}
