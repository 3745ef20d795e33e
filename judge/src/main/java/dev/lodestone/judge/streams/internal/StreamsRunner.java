package dev.lodestone.judge.streams.internal;

import dev.lodestone.judge.streams.StreamsAppConfig;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.Lifecycle;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of one Kafka Streams application as a Lodestone service: checks its topics, runs
 * the topology, follows Kafka Streams' state (RUNNING → service RUNNING; an uncaught exception or
 * ERROR → service FAILED with the cause), publishes metrics, and closes everything.
 */
public final class StreamsRunner {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);

  /**
   * What the runner runs.
   *
   * @param name the service name, for logs and errors
   * @param component the metric component
   * @param app the Streams settings
   * @param cluster where to connect
   * @param registry the registry of the metric serde
   * @param topics the topics that must exist before start
   * @param topicRule a further check of the topics' partition counts (throws {@link
   *     ServiceException})
   * @param topology builds the topology
   * @param metricValues the current metric values
   * @param metricTags tags of every metric event
   */
  public record Spec(
      String name,
      String component,
      StreamsAppConfig app,
      ClusterConfig cluster,
      SchemaRegistryClient registry,
      List<TopicSpec<?>> topics,
      Consumer<Map<String, Integer>> topicRule,
      Supplier<Topology> topology,
      Supplier<Map<String, Double>> metricValues,
      Map<String, String> metricTags) {}

  private final Spec spec;
  private final Lifecycle lifecycle;
  private volatile boolean closing;
  private boolean released;
  private KafkaStreams streams;
  private MetricsPublisher metrics;

  public StreamsRunner(Spec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.lifecycle = new Lifecycle(spec.name());
  }

  /** The service state. */
  public ServiceState state() {
    return lifecycle.state();
  }

  /** The failure, once FAILED. */
  public Optional<Throwable> failure() {
    return lifecycle.failure();
  }

  /** Kafka Streams' own state, or empty before start. */
  public synchronized Optional<KafkaStreams.State> streamsState() {
    return Optional.ofNullable(streams).map(KafkaStreams::state);
  }

  /**
   * Starts and waits until Kafka Streams is RUNNING (its first assignment done).
   *
   * @throws ServiceException when a topic is missing or mis-partitioned, Kafka Streams fails, or it
   *     is not running within the timeout; the service is then closed
   * @throws IllegalStateException when started before
   */
  public void start(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    lifecycle.starting();
    try {
      synchronized (this) {
        Admin admin = Admin.create(spec.cluster().clientProperties(spec.name() + "-admin"));
        try {
          spec.topicRule().accept(TopicCheck.partitionCounts(admin, spec.topics(), timeout));
        } finally {
          admin.close(Duration.ZERO); // abandons calls still waiting for an absent cluster
        }
        streams =
            new KafkaStreams(spec.topology().get(), spec.app().streamsProperties(spec.cluster()));
        streams.setStateListener(this::onStateChange);
        streams.setUncaughtExceptionHandler(this::onUncaughtException);
        metrics =
            new MetricsPublisher(
                spec.component(),
                spec.app().instanceId(),
                spec.metricTags(),
                spec.metricValues(),
                new KafkaProducer<>(
                    metricsProducerProperties(),
                    TopicSerdes.keySerde().serializer(),
                    TopicSerdes.valueSerde(Topics.METRICS, spec.registry()).serializer()),
                System::currentTimeMillis);
        LOG.info(
            "{}: starting Kafka Streams application {}", spec.name(), spec.app().applicationId());
        streams.start();
        metrics.start(spec.app().metricsInterval());
      }
    } catch (RuntimeException e) {
      lifecycle.failed(e);
      release();
      throw e instanceof ServiceException se
          ? se
          : new ServiceException(spec.name() + " could not start: " + e.getMessage(), e);
    }
    try {
      lifecycle.awaitRunning(timeout);
    } catch (ServiceException e) {
      close();
      throw e;
    }
    LOG.info("{}: running", spec.name());
  }

  /** Stops Kafka Streams (leaving the group), publishes last metrics, releases everything. */
  public void close() {
    lifecycle.stopping();
    release();
    lifecycle.stopped();
  }

  private synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    closing = true;
    if (streams != null) {
      Duration timeout = spec.app().closeTimeout();
      boolean stopped =
          streams.close(new KafkaStreams.CloseOptions().timeout(timeout).leaveGroup(true));
      if (!stopped) {
        lifecycle.failed(
            new ServiceException(
                spec.name() + ": Kafka Streams did not stop within " + timeout + " when closed"));
      }
    }
    if (metrics != null) {
      metrics.close();
    }
    LOG.info("{}: closed ({})", spec.name(), lifecycle.state());
  }

  private Properties metricsProducerProperties() {
    Properties p = spec.cluster().clientProperties(spec.name() + "-metrics");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return p;
  }

  private void onStateChange(KafkaStreams.State next, KafkaStreams.State previous) {
    LOG.debug("{}: Kafka Streams {} -> {}", spec.name(), previous, next);
    switch (next) {
      case RUNNING -> lifecycle.running();
      case ERROR ->
          lifecycle.failed(
              new ServiceException(spec.name() + ": Kafka Streams entered state ERROR"));
      case NOT_RUNNING -> {
        if (!closing) {
          lifecycle.failed(
              new ServiceException(spec.name() + ": Kafka Streams stopped without being closed"));
        }
      }
      default -> {}
    }
  }

  private StreamThreadExceptionResponse onUncaughtException(Throwable error) {
    if (isOutage(error)) {
      // The cluster did not answer within a client timeout (a broker outage longer than a
      // minute): a new thread with a new producer starts over from the committed offsets, and
      // the transaction that timed out is aborted (exactly once holds).
      LOG.warn(
          "{}: a stream thread gave up waiting for the cluster ({}); it is replaced",
          spec.name(),
          rootMessage(error));
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    LOG.error("{}: a stream thread failed; the service stops", spec.name(), error);
    lifecycle.failed(error);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /**
   * Whether a stream thread died of the cluster not answering: a client timeout somewhere in the
   * chain, or the producer refusing to go on after a commit that timed out.
   */
  static boolean isOutage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.kafka.common.errors.TimeoutException) {
        return true;
      }
      if (t instanceof IllegalStateException
          && String.valueOf(t.getMessage()).contains("timed out and must be retried")) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.toString();
  }
}
