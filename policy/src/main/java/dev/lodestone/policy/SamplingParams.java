package dev.lodestone.policy;

/**
 * How responses are drawn.
 *
 * @param temperature divides the logits before the softmax; 0 means greedy (always the most likely
 *     token, reported log-probability 0)
 * @param topP nucleus sampling: keep the smallest set of most likely tokens whose probability
 *     reaches {@code topP}, renormalised; 1 keeps every token
 * @param maxNewTokens the most tokens a response may have, its end-of-sequence token included
 * @param kvCache whether decoding reuses a key/value cache (true) or recomputes every position at
 *     every step (false: slower, same distribution; kept for tests and benchmarks)
 */
public record SamplingParams(double temperature, double topP, int maxNewTokens, boolean kvCache) {

  /** Validates every field; the error names the field and the bad value. */
  public SamplingParams {
    if (!(temperature >= 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("temperature must be finite and >= 0, got " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
    }
  }

  /** Plain sampling from the model (temperature 1, top-p 1) with a cache. */
  public static SamplingParams of(int maxNewTokens) {
    return new SamplingParams(1.0, 1.0, maxNewTokens, true);
  }

  /** Greedy decoding with a cache. */
  public static SamplingParams greedy(int maxNewTokens) {
    return new SamplingParams(0.0, 1.0, maxNewTokens, true);
  }

  /** The same parameters with or without the key/value cache. */
  public SamplingParams withKvCache(boolean cache) {
    return new SamplingParams(temperature, topP, maxNewTokens, cache);
  }

  /** True when tokens are drawn from the model's own distribution (no temperature or top-p). */
  public boolean isUntempered() {
    return temperature == 1.0 && topP == 1.0;
  }
}
