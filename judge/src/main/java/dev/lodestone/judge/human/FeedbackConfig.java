package dev.lodestone.judge.human;

import dev.lodestone.judge.streams.SampleGroupLimits;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The configuration of the human-feedback service ({@link FeedbackService}).
 *
 * @param cluster where {@code samples}, {@code labels}, {@code feedback}, {@code dead-letters} and
 *     {@code metrics} live
 * @param host the address the HTTP server binds
 * @param port its port; 0 picks a free one
 * @param tokens the token file ({@link AnnotatorTokens})
 * @param quorum distinct annotators each pair goes to (the label join needs the same quorum)
 * @param lease how long an item handed out waits for its answer before it returns to the queue
 * @param maxWait how long a group waits for its labels before it leaves the queue
 * @param maxWaitingPairs the service stops taking groups from {@code samples} while this many pairs
 *     wait
 * @param requestsPerSecond requests each token may make per second (429 beyond)
 * @param maxRationaleChars the longest rationale accepted (413 beyond)
 * @param maxResponseChars the longest response shown; longer ones are cut and marked
 * @param agreementWindow pairs with several labels that inter-annotator agreement is computed over
 * @param applicationId the consumer group whose committed offsets of {@code samples} say where the
 *     service resumes
 * @param instanceId the transactional id's suffix: a restarted instance with the same id fences its
 *     predecessor
 * @param metricsInterval how often the service publishes to {@code metrics}
 * @param limits size limits of the sample groups taken
 */
public record FeedbackConfig(
    ClusterConfig cluster,
    String host,
    int port,
    Path tokens,
    int quorum,
    Duration lease,
    Duration maxWait,
    int maxWaitingPairs,
    int requestsPerSecond,
    int maxRationaleChars,
    int maxResponseChars,
    int agreementWindow,
    String applicationId,
    String instanceId,
    Duration metricsInterval,
    SampleGroupLimits limits) {

  /** Default {@link #port()}. */
  public static final int DEFAULT_PORT = 8088;

  /** Default {@link #lease()}, in seconds. */
  public static final int DEFAULT_LEASE_SECONDS = 300;

  /** Default {@link #maxWait()}, in seconds: the label join's default wait for labels. */
  public static final int DEFAULT_MAX_WAIT_SECONDS = 600;

  /** Default {@link #maxWaitingPairs()}. */
  public static final int DEFAULT_MAX_WAITING_PAIRS = 10_000;

  /** Default {@link #requestsPerSecond()}. */
  public static final int DEFAULT_REQUESTS_PER_SECOND = 20;

  /** Default {@link #maxRationaleChars()}. */
  public static final int DEFAULT_MAX_RATIONALE_CHARS = 2_000;

  /** Default {@link #maxResponseChars()}. */
  public static final int DEFAULT_MAX_RESPONSE_CHARS = 4_000;

  /** Default {@link #agreementWindow()}. */
  public static final int DEFAULT_AGREEMENT_WINDOW = 500;

  /** Default {@link #applicationId()}. */
  public static final String DEFAULT_APPLICATION_ID = "lodestone-feedback";

  /** Default {@link #instanceId()}. */
  public static final String DEFAULT_INSTANCE_ID = "feedback-1";

  /** Largest request body accepted, in bytes (413 beyond). */
  public static final int MAX_REQUEST_BYTES = 16 * 1024;

  public FeedbackConfig {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(metricsInterval, "metricsInterval");
    Objects.requireNonNull(limits, "limits");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    if (quorum < 1 || quorum > 1000) {
      throw new IllegalArgumentException("quorum must be in [1, 1000], got " + quorum);
    }
    positive("lease", lease);
    positive("maxWait", maxWait);
    positive("metricsInterval", metricsInterval);
    atLeastOne("maxWaitingPairs", maxWaitingPairs);
    atLeastOne("requestsPerSecond", requestsPerSecond);
    atLeastOne("maxRationaleChars", maxRationaleChars);
    atLeastOne("maxResponseChars", maxResponseChars);
    atLeastOne("agreementWindow", agreementWindow);
    if (applicationId.isBlank() || instanceId.isBlank()) {
      throw new IllegalArgumentException("applicationId and instanceId must not be blank");
    }
  }

  /** The defaults, on loopback at {@link #DEFAULT_PORT}. */
  public static FeedbackConfig of(ClusterConfig cluster, Path tokens) {
    return new FeedbackConfig(
        cluster,
        "127.0.0.1",
        DEFAULT_PORT,
        tokens,
        1,
        Duration.ofSeconds(DEFAULT_LEASE_SECONDS),
        Duration.ofSeconds(DEFAULT_MAX_WAIT_SECONDS),
        DEFAULT_MAX_WAITING_PAIRS,
        DEFAULT_REQUESTS_PER_SECOND,
        DEFAULT_MAX_RATIONALE_CHARS,
        DEFAULT_MAX_RESPONSE_CHARS,
        DEFAULT_AGREEMENT_WINDOW,
        DEFAULT_APPLICATION_ID,
        DEFAULT_INSTANCE_ID,
        Duration.ofSeconds(5),
        SampleGroupLimits.DEFAULT);
  }

  /** A copy on another address. */
  public FeedbackConfig withAddress(String h, int p) {
    return new FeedbackConfig(
        cluster,
        h,
        p,
        tokens,
        quorum,
        lease,
        maxWait,
        maxWaitingPairs,
        requestsPerSecond,
        maxRationaleChars,
        maxResponseChars,
        agreementWindow,
        applicationId,
        instanceId,
        metricsInterval,
        limits);
  }

  /** A copy with another quorum, lease and wait. */
  public FeedbackConfig withQueue(int q, Duration l, Duration w) {
    return new FeedbackConfig(
        cluster,
        host,
        port,
        tokens,
        q,
        l,
        w,
        maxWaitingPairs,
        requestsPerSecond,
        maxRationaleChars,
        maxResponseChars,
        agreementWindow,
        applicationId,
        instanceId,
        metricsInterval,
        limits);
  }

  /** A copy with another request rate per token. */
  public FeedbackConfig withRequestsPerSecond(int r) {
    return new FeedbackConfig(
        cluster,
        host,
        port,
        tokens,
        quorum,
        lease,
        maxWait,
        maxWaitingPairs,
        r,
        maxRationaleChars,
        maxResponseChars,
        agreementWindow,
        applicationId,
        instanceId,
        metricsInterval,
        limits);
  }

  /** A copy with other ids. */
  public FeedbackConfig withIds(String application, String instance) {
    return new FeedbackConfig(
        cluster,
        host,
        port,
        tokens,
        quorum,
        lease,
        maxWait,
        maxWaitingPairs,
        requestsPerSecond,
        maxRationaleChars,
        maxResponseChars,
        agreementWindow,
        application,
        instance,
        metricsInterval,
        limits);
  }

  private static void positive(String field, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  private static void atLeastOne(String field, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be at least 1, got " + value);
    }
  }
}
