package dev.lodestone.policy.warmup;

/**
 * How the warm-up trains.
 *
 * @param maxSteps the most optimizer steps, &gt;= 1
 * @param batchSize the most prompt/response pairs per step, &gt;= 1. When the corpus has no more
 *     pairs than this, every step uses all of them, weighted by their probabilities (the exact
 *     cross-entropy); otherwise each step draws this many pairs by probability
 * @param learningRate Adam's step size
 * @param seed seeds the initial weights and the draws
 * @param evalEvery check the exact response distribution every this many steps and stop once it is
 *     within {@code tolerance}; 0 never checks and runs {@code maxSteps}
 * @param tolerance stop when every response's exact probability is within this of its target and
 *     the probability of any other response is at most this, in [0, 1)
 * @param maxGradNorm global gradient-norm clipping; 0 disables it
 */
public record WarmupConfig(
    int maxSteps,
    int batchSize,
    double learningRate,
    long seed,
    int evalEvery,
    double tolerance,
    double maxGradNorm) {

  /** Validates every field; the error names the field and the bad value. */
  public WarmupConfig {
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps must be at least 1, got " + maxSteps);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be positive and finite, got " + learningRate);
    }
    if (evalEvery < 0) {
      throw new IllegalArgumentException("evalEvery must be >= 0, got " + evalEvery);
    }
    if (!(tolerance >= 0 && tolerance < 1)) {
      throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
    }
    if (!(maxGradNorm >= 0) || !Double.isFinite(maxGradNorm)) {
      throw new IllegalArgumentException("maxGradNorm must be finite and >= 0, got " + maxGradNorm);
    }
  }

  /**
   * Defaults: at most 2,000 steps, batch 32, learning rate 3e-3, checked every 25 steps to 0.01.
   */
  public static WarmupConfig defaults(long seed) {
    return new WarmupConfig(2000, 32, 3e-3, seed, 25, 0.01, 1.0);
  }

  /** The same configuration with another step budget. */
  public WarmupConfig withMaxSteps(int steps) {
    return new WarmupConfig(
        steps, batchSize, learningRate, seed, evalEvery, tolerance, maxGradNorm);
  }
}
