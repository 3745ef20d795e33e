package dev.lodestone.judge.llm;

import dev.lodestone.judge.streams.SampleGroupLimits;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of an LLM judge ({@link LlmJudge}, {@link LlmJudgeService}).
 *
 * @param cluster where {@code samples}, {@code labels}, {@code dead-letters} and {@code metrics}
 *     are
 * @param baseUrl the OpenAI-compatible API's base URL, e.g. {@code http://127.0.0.1:8000/v1}
 * @param model the model name sent with every request
 * @param apiKey the API key sent as a bearer token (never logged, never in {@link #toString()});
 *     empty for servers that want none
 * @param template the pairwise prompt
 * @param task the task whose groups this judge labels, as samplers write it
 * @param judgeId the id written into every label
 * @param applicationId the consumer group of {@code samples} and the prefix of the transactional
 *     id; instances with the same one share the partitions
 * @param instanceId this instance's id in client ids, the transactional id and metrics
 * @param concurrency most calls in flight at once
 * @param timeout the limit of one call (connect, write, wait and read)
 * @param maxAttempts attempts per call, the first included (retries with exponential backoff and
 *     jitter between them)
 * @param initialBackoff the wait before the first retry (doubled for each further one, +-50%)
 * @param logprobs whether to ask for the log-probabilities of the verdict token
 * @param maxGroupsPerBatch most groups judged between two transactions (the consumer's {@code
 *     max.poll.records})
 * @param breakerOpenFor how long the circuit breaker stays open before it lets a few calls probe
 * @param metricsInterval how often the metrics go to {@code metrics}
 * @param limits the size limits of sample groups
 */
public record LlmJudgeConfig(
    ClusterConfig cluster,
    URI baseUrl,
    String model,
    String apiKey,
    PairwiseTemplate template,
    String task,
    String judgeId,
    String applicationId,
    String instanceId,
    int concurrency,
    Duration timeout,
    int maxAttempts,
    Duration initialBackoff,
    boolean logprobs,
    int maxGroupsPerBatch,
    Duration breakerOpenFor,
    Duration metricsInterval,
    SampleGroupLimits limits) {

  /** The default {@link #concurrency()}. */
  public static final int DEFAULT_CONCURRENCY = 8;

  /** The default {@link #timeout()}, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 30;

  /** The default {@link #maxAttempts()}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 4;

  public LlmJudgeConfig {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(judgeId, "judgeId");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(breakerOpenFor, "breakerOpenFor");
    Objects.requireNonNull(metricsInterval, "metricsInterval");
    Objects.requireNonNull(limits, "limits");
    String scheme = Optional.ofNullable(baseUrl.getScheme()).orElse("");
    if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "the judge's base URL must be an http:// or https:// URL, got '" + baseUrl + "'");
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("the judge's model name must not be blank");
    }
    if (judgeId.isBlank() || applicationId.isBlank() || instanceId.isBlank()) {
      throw new IllegalArgumentException("judgeId, applicationId and instanceId must not be blank");
    }
    if (concurrency < 1 || concurrency > 1024) {
      throw new IllegalArgumentException("concurrency must be in [1, 1024], got " + concurrency);
    }
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("maxAttempts must be in [1, 100], got " + maxAttempts);
    }
    if (maxGroupsPerBatch < 1) {
      throw new IllegalArgumentException(
          "maxGroupsPerBatch must be at least 1, got " + maxGroupsPerBatch);
    }
    requirePositive("timeout", timeout);
    requirePositive("initialBackoff", initialBackoff);
    requirePositive("breakerOpenFor", breakerOpenFor);
    requirePositive("metricsInterval", metricsInterval);
  }

  private static void requirePositive(String field, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  /** The judge id of a model's judge unless one is given: {@code llm:MODEL}. */
  public static String defaultJudgeId(String model) {
    return "llm:" + model;
  }

  /**
   * A configuration with the defaults: the default template, judge id {@code llm:MODEL},
   * concurrency 8, 30 s per call, 4 attempts from 0.5 s of backoff, log-probabilities asked for, 32
   * groups per transaction, the breaker open for 5 s, metrics every 5 s.
   */
  public static LlmJudgeConfig of(
      ClusterConfig cluster,
      URI baseUrl,
      String model,
      String apiKey,
      String task,
      String applicationId,
      String instanceId) {
    return new LlmJudgeConfig(
        cluster,
        baseUrl,
        model,
        apiKey,
        PairwiseTemplate.DEFAULT,
        task,
        defaultJudgeId(model),
        applicationId,
        instanceId,
        DEFAULT_CONCURRENCY,
        Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS),
        DEFAULT_MAX_ATTEMPTS,
        Duration.ofMillis(500),
        true,
        32,
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        SampleGroupLimits.DEFAULT);
  }

  /** A copy with the calls' settings replaced. */
  public LlmJudgeConfig withCalls(
      int concurrency, Duration timeout, int maxAttempts, Duration initialBackoff) {
    return new LlmJudgeConfig(
        cluster,
        baseUrl,
        model,
        apiKey,
        template,
        task,
        judgeId,
        applicationId,
        instanceId,
        concurrency,
        timeout,
        maxAttempts,
        initialBackoff,
        logprobs,
        maxGroupsPerBatch,
        breakerOpenFor,
        metricsInterval,
        limits);
  }

  /** A copy with another template, judge id and log-probability setting. */
  public LlmJudgeConfig withPrompting(PairwiseTemplate template, String judgeId, boolean logprobs) {
    return new LlmJudgeConfig(
        cluster,
        baseUrl,
        model,
        apiKey,
        template,
        task,
        judgeId,
        applicationId,
        instanceId,
        concurrency,
        timeout,
        maxAttempts,
        initialBackoff,
        logprobs,
        maxGroupsPerBatch,
        breakerOpenFor,
        metricsInterval,
        limits);
  }

  /** A copy with another instance id. */
  public LlmJudgeConfig withInstanceId(String id) {
    return new LlmJudgeConfig(
        cluster,
        baseUrl,
        model,
        apiKey,
        template,
        task,
        judgeId,
        applicationId,
        id,
        concurrency,
        timeout,
        maxAttempts,
        initialBackoff,
        logprobs,
        maxGroupsPerBatch,
        breakerOpenFor,
        metricsInterval,
        limits);
  }

  /** A copy with other batch, breaker and metrics settings. */
  public LlmJudgeConfig withPacing(
      int maxGroupsPerBatch, Duration breakerOpenFor, Duration metricsInterval) {
    return new LlmJudgeConfig(
        cluster,
        baseUrl,
        model,
        apiKey,
        template,
        task,
        judgeId,
        applicationId,
        instanceId,
        concurrency,
        timeout,
        maxAttempts,
        initialBackoff,
        logprobs,
        maxGroupsPerBatch,
        breakerOpenFor,
        metricsInterval,
        limits);
  }

  /** Everything but the API key, which shows only whether there is one. */
  @Override
  public String toString() {
    return "LlmJudgeConfig[baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", apiKey="
        + (apiKey.isEmpty() ? "(none)" : "(set)")
        + ", task="
        + task
        + ", judgeId="
        + judgeId
        + ", applicationId="
        + applicationId
        + ", instanceId="
        + instanceId
        + ", concurrency="
        + concurrency
        + ", timeout="
        + timeout
        + ", maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", logprobs="
        + logprobs
        + ", maxGroupsPerBatch="
        + maxGroupsPerBatch
        + ", breakerOpenFor="
        + breakerOpenFor
        + ", metricsInterval="
        + metricsInterval
        + "]";
  }
}
