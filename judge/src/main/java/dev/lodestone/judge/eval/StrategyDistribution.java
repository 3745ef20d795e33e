package dev.lodestone.judge.eval;

import java.util.Arrays;

/**
 * A policy's answer distribution on a game: the exact probability of each strategy string, and the
 * mass left to everything else (invalid responses).
 *
 * <p>Probabilities are computed in floating point from a model, so their sum may pass 1 by rounding
 * (a model that has learnt to produce only valid answers): a sum up to {@value #SUM_TOLERANCE}
 * above 1 is rescaled to exactly 1 (invalid mass 0); a larger excess is refused, as it cannot come
 * from the probabilities of distinct complete responses.
 */
public final class StrategyDistribution {

  /** How far above 1 the probabilities may sum before they are refused. */
  public static final double SUM_TOLERANCE = 1e-3;

  private final double[] probabilities;
  private final double invalidMass;

  private StrategyDistribution(double[] probabilities, double invalidMass) {
    this.probabilities = probabilities;
    this.invalidMass = invalidMass;
  }

  /**
   * A distribution from the strategies' probabilities; the invalid mass is what they leave.
   *
   * @throws IllegalArgumentException for a negative, NaN or infinite entry, or a sum above {@code 1
   *     + SUM_TOLERANCE}
   */
  public static StrategyDistribution of(double... strategyProbabilities) {
    double[] p = strategyProbabilities.clone();
    if (p.length == 0) {
      throw new IllegalArgumentException("a strategy distribution needs at least one strategy");
    }
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      if (!Double.isFinite(p[i]) || p[i] < 0) {
        throw new IllegalArgumentException(
            "probabilities[" + i + "] must be finite and >= 0, got " + p[i]);
      }
      sum += p[i];
    }
    if (sum > 1 + SUM_TOLERANCE) {
      throw new IllegalArgumentException(
          "the strategy probabilities sum to "
              + sum
              + ", more than 1 + "
              + SUM_TOLERANCE
              + ": they are not probabilities of distinct responses");
    }
    if (sum > 1) {
      for (int i = 0; i < p.length; i++) {
        p[i] /= sum;
      }
      return new StrategyDistribution(p, 0.0);
    }
    return new StrategyDistribution(p, 1.0 - sum);
  }

  /** The probability of each strategy, in the game's order (a copy). */
  public double[] probabilities() {
    return probabilities.clone();
  }

  /** The probability of strategy {@code i}. */
  public double probability(int i) {
    return probabilities[i];
  }

  /** Number of strategies. */
  public int size() {
    return probabilities.length;
  }

  /** The mass of every response that is not a strategy: {@code 1 - sum of the probabilities}. */
  public double invalidMass() {
    return invalidMass;
  }

  /** The mass of the strategies: {@code 1 - invalidMass()}. */
  public double validMass() {
    return 1.0 - invalidMass;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StrategyDistribution d
        && Arrays.equals(probabilities, d.probabilities)
        && invalidMass == d.invalidMass;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(probabilities) * 31 + Double.hashCode(invalidMass);
  }

  @Override
  public String toString() {
    return "StrategyDistribution" + Arrays.toString(probabilities) + " invalid " + invalidMass;
  }
}
