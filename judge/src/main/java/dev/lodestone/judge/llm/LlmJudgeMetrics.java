package dev.lodestone.judge.llm;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an LLM judge has done since it started, safe to update from many threads: calls, their
 * latency percentiles (over the last {@link #LATENCY_WINDOW} calls), tokens, failures by kind,
 * groups judged and dead-lettered, and the position-disagreement rate: how often the two orders of
 * a pair disagree on which response is better.
 */
public final class LlmJudgeMetrics {
  /** How many of the latest calls the latency percentiles cover. */
  public static final int LATENCY_WINDOW = 4096;

  private final LongAdder calls = new LongAdder();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder fromLogprobs = new LongAdder();
  private final EnumMap<LlmCallException.Kind, LongAdder> failures =
      new EnumMap<>(LlmCallException.Kind.class);
  private final LongAdder groupsJudged = new LongAdder();
  private final LongAdder groupsDeadLettered = new LongAdder();
  private final LongAdder groupsSkipped = new LongAdder();
  private final LongAdder invalidRecords = new LongAdder();
  private final LongAdder pairsJudged = new LongAdder();
  private final LongAdder positionDisagreements = new LongAdder();
  private final long[] latencyMicros = new long[LATENCY_WINDOW];
  private long latencyCount;

  public LlmJudgeMetrics() {
    for (LlmCallException.Kind k : LlmCallException.Kind.values()) {
      failures.put(k, new LongAdder());
    }
  }

  /** One call answered with a verdict. */
  void succeeded(long nanos, Verdict verdict) {
    calls.increment();
    succeeded.increment();
    tokens.add(verdict.tokens());
    if (verdict.fromLogprobs()) {
      fromLogprobs.increment();
    }
    latency(nanos);
  }

  /** One call failed (or, for CIRCUIT_OPEN, was not made). */
  void failed(LlmCallException.Kind kind, long nanos) {
    failures.get(kind).increment();
    if (kind != LlmCallException.Kind.CIRCUIT_OPEN) {
      calls.increment();
      latency(nanos);
    }
  }

  private synchronized void latency(long nanos) {
    latencyMicros[(int) (latencyCount++ % LATENCY_WINDOW)] = nanos / 1000;
  }

  /** One pair judged in both orders; {@code disagreed} when the orders named different winners. */
  void pairJudged(boolean disagreed) {
    pairsJudged.increment();
    if (disagreed) {
      positionDisagreements.increment();
    }
  }

  void groupJudged() {
    groupsJudged.increment();
  }

  void groupDeadLettered() {
    groupsDeadLettered.increment();
  }

  void groupSkipped() {
    groupsSkipped.increment();
  }

  void invalidRecord() {
    invalidRecords.increment();
  }

  /** Calls made (attempts, retries included; not those the open breaker refused). */
  public long calls() {
    return calls.sum();
  }

  /** Calls that failed with this kind. */
  public long failures(LlmCallException.Kind kind) {
    return failures.get(kind).sum();
  }

  /** Groups labelled. */
  public long groupsJudged() {
    return groupsJudged.sum();
  }

  /** Groups sent to dead-letters because their calls failed. */
  public long groupsDeadLettered() {
    return groupsDeadLettered.sum();
  }

  /** Pairs judged in both orders. */
  public long pairsJudged() {
    return pairsJudged.sum();
  }

  /** The share of pairs whose two orders disagreed (0 when none was judged). */
  public double positionDisagreementRate() {
    long n = pairsJudged.sum();
    return n == 0 ? 0.0 : (double) positionDisagreements.sum() / n;
  }

  /** The q-quantile (0..1) of the latest calls' latency, in milliseconds; NaN before any call. */
  public synchronized double latencyMillis(double q) {
    int n = (int) Math.min(latencyCount, LATENCY_WINDOW);
    if (n == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(latencyMicros, n);
    Arrays.sort(sorted);
    int index = (int) Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
    return sorted[index] / 1000.0;
  }

  /** The values under their metric names, as published to {@code metrics}. */
  public Map<String, Double> values() {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put("llm/calls", (double) calls.sum());
    v.put("llm/calls_succeeded", (double) succeeded.sum());
    v.put("llm/tokens", (double) tokens.sum());
    v.put("llm/verdicts_from_logprobs", (double) fromLogprobs.sum());
    for (LlmCallException.Kind k : LlmCallException.Kind.values()) {
      v.put("llm/failures/" + k.id(), (double) failures.get(k).sum());
    }
    double p50 = latencyMillis(0.5);
    if (!Double.isNaN(p50)) {
      v.put("llm/latency_ms/p50", p50);
      v.put("llm/latency_ms/p90", latencyMillis(0.9));
      v.put("llm/latency_ms/p99", latencyMillis(0.99));
    }
    v.put("judge/groups_judged", (double) groupsJudged.sum());
    v.put("judge/groups_dead_lettered", (double) groupsDeadLettered.sum());
    v.put("judge/groups_skipped", (double) groupsSkipped.sum());
    v.put("judge/invalid_records", (double) invalidRecords.sum());
    v.put("judge/pairs_judged", (double) pairsJudged.sum());
    v.put("llm/position_disagreement_rate", positionDisagreementRate());
    return v;
  }
}
