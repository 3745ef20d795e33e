package dev.lodestone.judge.streams;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings every Lodestone Kafka Streams application shares (the judge and the label join).
 * Processing is always {@code exactly_once_v2}.
 *
 * @param applicationId Kafka Streams {@code application.id}: instances with the same id split the
 *     input partitions between them; it prefixes the consumer group and internal topic names
 * @param instanceId this instance's id, in its client ids and metric events, and (with the
 *     application id) its static group membership: unique among the running instances, and the same
 *     across a restart so that the restarted instance takes its partitions back at once
 * @param stateDir Kafka Streams {@code state.dir}; instances in one JVM need different ones
 * @param numStreamThreads stream threads of this instance
 * @param commitInterval how often transactions commit ({@code commit.interval.ms}); under
 *     exactly-once, results become visible to {@code read_committed} readers only at a commit, so
 *     this bounds the latency the application adds (default 100 ms)
 * @param replicationFactor of the internal topics (changelogs); -1 takes the broker's {@code
 *     default.replication.factor}
 * @param metricsInterval how often the service publishes a {@code MetricEvent}
 * @param closeTimeout how long closing waits for Kafka Streams to stop
 * @param streamsOverrides further Kafka Streams, consumer or producer properties (for example
 *     {@code transaction.timeout.ms}), applied last; settings owned by the fields above are refused
 */
public record StreamsAppConfig(
    String applicationId,
    String instanceId,
    Path stateDir,
    int numStreamThreads,
    Duration commitInterval,
    int replicationFactor,
    Duration metricsInterval,
    Duration closeTimeout,
    Map<String, String> streamsOverrides) {

  /** Default {@link #commitInterval()}. */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);

  /** Default {@link #metricsInterval()}. */
  public static final Duration DEFAULT_METRICS_INTERVAL = Duration.ofSeconds(10);

  /** Default {@link #closeTimeout()}. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The session timeout of the applications' consumers: how long a member that died without leaving
   * (kill -9, a lost machine) holds its partitions. An instance restarted with the same {@link
   * #instanceId()} does not wait for it (static membership).
   */
  public static final int SESSION_TIMEOUT_MS = 10_000;

  /** Most stream threads one instance may run. */
  public static final int MAX_STREAM_THREADS = 64;

  private static final Pattern ID = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

  /** Properties that the fields own, with the field that sets them. */
  private static final Map<String, String> OWNED =
      Map.of(
          StreamsConfig.APPLICATION_ID_CONFIG, "applicationId",
          StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "(always exactly_once_v2)",
          StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "ClusterConfig.bootstrapServers",
          StreamsConfig.STATE_DIR_CONFIG, "stateDir",
          StreamsConfig.NUM_STREAM_THREADS_CONFIG, "numStreamThreads",
          StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "commitInterval",
          StreamsConfig.REPLICATION_FACTOR_CONFIG, "replicationFactor");

  public StreamsAppConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(metricsInterval, "metricsInterval");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    Objects.requireNonNull(streamsOverrides, "streamsOverrides");
    if (!ID.matcher(applicationId).matches()) {
      throw new IllegalArgumentException(
          "applicationId must be 1 to 200 characters of [a-zA-Z0-9._-], got '"
              + applicationId
              + "'");
    }
    if (!ID.matcher(instanceId).matches()) {
      throw new IllegalArgumentException(
          "instanceId must be 1 to 200 characters of [a-zA-Z0-9._-], got '" + instanceId + "'");
    }
    if (numStreamThreads < 1 || numStreamThreads > MAX_STREAM_THREADS) {
      throw new IllegalArgumentException(
          "numStreamThreads must be in [1, " + MAX_STREAM_THREADS + "], got " + numStreamThreads);
    }
    requirePositive("commitInterval", commitInterval);
    requirePositive("metricsInterval", metricsInterval);
    requirePositive("closeTimeout", closeTimeout);
    if (replicationFactor != -1 && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "replicationFactor must be -1 (the broker's default) or in [1, "
              + Short.MAX_VALUE
              + "], got "
              + replicationFactor);
    }
    for (Map.Entry<String, String> e : streamsOverrides.entrySet()) {
      Objects.requireNonNull(e.getKey(), "streamsOverrides key");
      Objects.requireNonNull(e.getValue(), "streamsOverrides value of " + e.getKey());
      String owner = OWNED.get(e.getKey());
      if (owner != null) {
        throw new IllegalArgumentException(
            "streamsOverrides must not set "
                + e.getKey()
                + " (got '"
                + e.getValue()
                + "'): it is set by "
                + owner);
      }
    }
    streamsOverrides = Map.copyOf(streamsOverrides);
  }

  private static void requirePositive(String field, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  /**
   * The defaults: one stream thread, commits every 100 ms, the broker's replication factor, metrics
   * every 10 s, 30 s to close, no overrides.
   */
  public static StreamsAppConfig defaults(String applicationId, String instanceId, Path stateDir) {
    return new StreamsAppConfig(
        applicationId,
        instanceId,
        stateDir,
        1,
        DEFAULT_COMMIT_INTERVAL,
        -1,
        DEFAULT_METRICS_INTERVAL,
        DEFAULT_CLOSE_TIMEOUT,
        Map.of());
  }

  /** A copy with another {@link #numStreamThreads()}. */
  public StreamsAppConfig withNumStreamThreads(int threads) {
    return new StreamsAppConfig(
        applicationId,
        instanceId,
        stateDir,
        threads,
        commitInterval,
        replicationFactor,
        metricsInterval,
        closeTimeout,
        streamsOverrides);
  }

  /** A copy with another {@link #commitInterval()}. */
  public StreamsAppConfig withCommitInterval(Duration interval) {
    return new StreamsAppConfig(
        applicationId,
        instanceId,
        stateDir,
        numStreamThreads,
        interval,
        replicationFactor,
        metricsInterval,
        closeTimeout,
        streamsOverrides);
  }

  /** A copy with another {@link #replicationFactor()}. */
  public StreamsAppConfig withReplicationFactor(int factor) {
    return new StreamsAppConfig(
        applicationId,
        instanceId,
        stateDir,
        numStreamThreads,
        commitInterval,
        factor,
        metricsInterval,
        closeTimeout,
        streamsOverrides);
  }

  /** A copy with another {@link #metricsInterval()}. */
  public StreamsAppConfig withMetricsInterval(Duration interval) {
    return new StreamsAppConfig(
        applicationId,
        instanceId,
        stateDir,
        numStreamThreads,
        commitInterval,
        replicationFactor,
        interval,
        closeTimeout,
        streamsOverrides);
  }

  /** A copy with other {@link #streamsOverrides()}. */
  public StreamsAppConfig withStreamsOverrides(Map<String, String> overrides) {
    return new StreamsAppConfig(
        applicationId,
        instanceId,
        stateDir,
        numStreamThreads,
        commitInterval,
        replicationFactor,
        metricsInterval,
        closeTimeout,
        overrides);
  }

  /**
   * The Kafka Streams properties of this application on a cluster: the cluster's client properties,
   * then this configuration ({@code exactly_once_v2}, byte-array default serdes, a producer request
   * size that admits the dead-letter topic's largest record), then the overrides.
   */
  public Properties streamsProperties(ClusterConfig cluster) {
    Properties p = cluster.clientProperties(applicationId + "-" + instanceId);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(numStreamThreads));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitInterval.toMillis()));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(replicationFactor));
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    // Static membership: an instance restarted with its id takes its partitions back at once,
    // instead of waiting out the session of the member it replaces; and a member that dies for
    // good is replaced after 10 s (Kafka's default is 45 s). Kafka Streams adds each thread's
    // index to the instance id.
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        applicationId + "-" + instanceId);
    p.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        Integer.toString(SESSION_TIMEOUT_MS));
    // A dead letter carries the rejected record's bytes, up to the dead-letter topic's limit.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Integer.toString(Topics.MAX_MESSAGE_BYTES));
    p.putAll(streamsOverrides);
    return p;
  }
}
