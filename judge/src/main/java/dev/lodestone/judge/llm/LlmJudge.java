package dev.lodestone.judge.llm;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.lodestone.judge.Pairs;
import dev.lodestone.schemas.avro.SampleGroup;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks a language model behind an OpenAI-compatible chat-completions API which of two responses is
 * better, for every pair of a group and in both orders: P(i over j) = (P_ij(A) + 1 - P_ji(A)) / 2,
 * where P_ij(A) is the verdict with response i shown first ({@link Verdict}). A judge that always
 * answers "A" thus gives 1/2, and position bias cancels.
 *
 * <p>Calls run on a pool of {@link LlmJudgeConfig#concurrency()} threads. Each attempt is bounded
 * by the call timeout; a retryable failure (timeout, 429, 5xx, I/O, an unreadable answer, an open
 * breaker) is retried up to {@link LlmJudgeConfig#maxAttempts()} attempts with exponential backoff
 * and jitter (resilience4j {@code Retry}); a circuit breaker (resilience4j, open at a 50% failure
 * rate over the last 20 calls) stops calling a server that is down and probes it again after {@link
 * LlmJudgeConfig#breakerOpenFor()}; calls wait for it meanwhile, up to their deadline. The client's
 * own retries are off so that one policy governs.
 *
 * <p>The API key goes to the client and nowhere else: not to logs, not to metrics.
 */
public final class LlmJudge implements AutoCloseable {
  private static final long BREAKER_POLL_MILLIS = 50;

  private final LlmJudgeConfig config;
  private final LlmJudgeMetrics metrics;
  private final OpenAIClient client;
  private final ExecutorService calls;
  private final Retry retry;
  private final CircuitBreaker breaker;

  public LlmJudge(LlmJudgeConfig config, LlmJudgeMetrics metrics) {
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.client =
        OpenAIOkHttpClient.builder()
            .baseUrl(config.baseUrl().toString())
            .apiKey(config.apiKey().isEmpty() ? "no-key" : config.apiKey())
            .maxRetries(0)
            .timeout(config.timeout())
            .build();
    AtomicInteger threads = new AtomicInteger();
    this.calls =
        Executors.newFixedThreadPool(
            config.concurrency(),
            r -> {
              Thread t = new Thread(r, config.instanceId() + "-call-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.retry =
        Retry.of(
            config.instanceId() + "-retry",
            RetryConfig.custom()
                .maxAttempts(config.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialRandomBackoff(config.initialBackoff(), 2.0, 0.5))
                .retryOnException(e -> LlmCallException.classify(e).kind().retryable())
                .build());
    this.breaker =
        CircuitBreaker.of(
            config.instanceId() + "-breaker",
            CircuitBreakerConfig.custom()
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(config.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .ignoreException(
                    e ->
                        e instanceof LlmCallException l
                            && l.kind() == LlmCallException.Kind.CLIENT_ERROR)
                .build());
  }

  /** The configuration. */
  public LlmJudgeConfig config() {
    return config;
  }

  /** The breaker's state, e.g. CLOSED or OPEN. */
  public String breakerState() {
    return breaker.getState().name();
  }

  /**
   * Judges every pair of a group, asynchronously.
   *
   * @return the preferences in the canonical order of {@link Pairs}; completes exceptionally with
   *     an {@link LlmCallException} (after its retries) when any call of the group failed
   */
  public CompletableFuture<double[]> judge(SampleGroup group) {
    String prompt = group.getPrompt();
    int g = group.getResponses().size();
    List<CompletableFuture<Verdict>> forward = new ArrayList<>(Pairs.count(g));
    List<CompletableFuture<Verdict>> backward = new ArrayList<>(Pairs.count(g));
    for (int i = 0; i < g; i++) {
      String a = group.getResponses().get(i).getText();
      for (int j = i + 1; j < g; j++) {
        String b = group.getResponses().get(j).getText();
        forward.add(ask(config.template().render(prompt, a, b)));
        backward.add(ask(config.template().render(prompt, b, a)));
      }
    }
    List<CompletableFuture<Verdict>> all = new ArrayList<>(forward);
    all.addAll(backward);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              double[] p = new double[forward.size()];
              for (int k = 0; k < p.length; k++) {
                Verdict first = forward.get(k).join(); // response i shown as A
                Verdict second = backward.get(k).join(); // response j shown as A
                p[k] = (first.probabilityA() + 1.0 - second.probabilityA()) / 2.0;
                metrics.pairJudged(first.side() != -second.side());
              }
              return p;
            });
  }

  private CompletableFuture<Verdict> ask(String message) {
    return CompletableFuture.supplyAsync(
        () -> {
          long deadline = System.nanoTime() + config.timeout().toNanos() * config.maxAttempts();
          try {
            return retry.executeCallable(() -> guarded(message, deadline));
          } catch (Exception e) {
            throw new CompletionException(LlmCallException.classify(e));
          }
        },
        calls);
  }

  /**
   * One attempt through the breaker. While the breaker is open the call waits for it, without
   * spending an attempt, until the call's deadline (its attempts times the timeout): a server that
   * recovers within that loses no group, one that stays down dead-letters the groups in turn.
   */
  private Verdict guarded(String message, long deadline) throws Exception {
    boolean counted = false;
    while (true) {
      try {
        return breaker.executeCallable(() -> attempt(message));
      } catch (CallNotPermittedException e) {
        if (!counted) {
          metrics.failed(LlmCallException.Kind.CIRCUIT_OPEN, 0);
          counted = true;
        }
        if (System.nanoTime() - deadline >= 0) {
          throw LlmCallException.classify(e);
        }
        Thread.sleep(BREAKER_POLL_MILLIS);
      }
    }
  }

  private Verdict attempt(String message) {
    ChatCompletionCreateParams.Builder params =
        ChatCompletionCreateParams.builder()
            .model(config.model())
            .addUserMessage(message)
            .temperature(0.0)
            .maxTokens(4L);
    if (config.logprobs()) {
      params.logprobs(true).topLogprobs(5L);
    }
    long start = System.nanoTime();
    try {
      Verdict verdict = Verdict.of(client.chat().completions().create(params.build()));
      metrics.succeeded(System.nanoTime() - start, verdict);
      return verdict;
    } catch (RuntimeException e) {
      LlmCallException failure = LlmCallException.classify(e);
      metrics.failed(failure.kind(), System.nanoTime() - start);
      throw failure;
    }
  }

  /** Stops the calls in flight (their futures fail) and closes the client. */
  @Override
  public void close() {
    calls.shutdownNow();
    client.close();
  }
}
