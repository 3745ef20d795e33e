package dev.lodestone.policy.internal;

import java.util.random.RandomGenerator;

/**
 * Draws one token from a row of next-token probabilities on the host, with nucleus (top-p)
 * truncation, accumulating in double precision. Temperature is applied on the device, before the
 * softmax that produced the row; temperature 0 (greedy) takes the argmax of the logits instead. The
 * only randomness is one {@code nextDouble()} per draw, so a seeded generator gives the same tokens
 * on every run.
 */
public final class TokenSampler {

  private final int vocab;
  private final boolean greedy;
  private final double topP;
  private final Integer[] order;

  /**
   * A sampler for rows of {@code vocab} values.
   *
   * @param greedy rows are logits and the argmax is taken; otherwise rows are probabilities
   * @param topP nucleus mass in (0, 1]
   */
  public TokenSampler(int vocab, boolean greedy, double topP) {
    this.vocab = vocab;
    this.greedy = greedy;
    this.topP = topP;
    this.order = new Integer[vocab];
  }

  /** The token drawn and its log-probability under the distribution it was drawn from. */
  public record Draw(int token, double logProb) {}

  /**
   * Draws from {@code row[offset .. offset + vocab)}: logits when greedy (log-probability 0: the
   * argmax has probability 1), else probabilities.
   *
   * @param rng consulted once, unless greedy (not at all)
   */
  public Draw draw(float[] row, int offset, RandomGenerator rng) {
    if (greedy) {
      int best = 0;
      float bestValue = row[offset];
      for (int i = 1; i < vocab; i++) {
        if (row[offset + i] > bestValue) {
          bestValue = row[offset + i];
          best = i;
        }
      }
      return new Draw(best, 0.0);
    }
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      total += row[offset + i];
    }
    if (topP >= 1.0) {
      double u = rng.nextDouble() * total;
      int chosen = -1;
      double acc = 0;
      for (int i = 0; i < vocab; i++) {
        float p = row[offset + i];
        acc += p;
        if (u < acc && p > 0) {
          chosen = i;
          break;
        }
      }
      if (chosen < 0) {
        chosen = lastPositive(row, offset);
      }
      return new Draw(chosen, Math.log(row[offset + chosen] / total));
    }
    // Nucleus: most likely first (ties by id), keep the shortest prefix reaching topP.
    for (int i = 0; i < vocab; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
        order,
        (a, b) -> {
          int c = Float.compare(row[offset + b], row[offset + a]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    double threshold = topP * total;
    double kept = 0;
    int keep = 0;
    while (keep < vocab) {
      kept += row[offset + order[keep]];
      keep++;
      if (kept >= threshold) {
        break;
      }
    }
    double u = rng.nextDouble() * kept;
    int chosen = order[keep - 1];
    double acc = 0;
    for (int k = 0; k < keep; k++) {
      acc += row[offset + order[k]];
      if (u < acc) {
        chosen = order[k];
        break;
      }
    }
    return new Draw(chosen, Math.log(row[offset + chosen] / kept));
  }

  private int lastPositive(float[] row, int offset) {
    for (int i = vocab - 1; i >= 0; i--) {
      if (row[offset + i] > 0) {
        return i;
      }
    }
    return 0;
  }
}
