package dev.lodestone.judge.streams.internal;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.MetricEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a service's counters to {@code metrics} as a {@link MetricEvent} (key: the component)
 * every interval, and once more when closed. Metrics travel outside the exactly-once transactions,
 * through their own producer: a lost metric event is logged, never a reason to stop the service.
 */
public final class MetricsPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsPublisher.class);

  private final String component;
  private final String instanceId;
  private final Map<String, String> tags;
  private final Supplier<Map<String, Double>> values;
  private final Producer<String, MetricEvent> producer;
  private final LongSupplier clock;
  private final ScheduledExecutorService scheduler;
  private boolean closed;

  /**
   * @param component the component name (the record key and {@code MetricEvent.component})
   * @param instanceId the instance id
   * @param tags tags of every event (application id, judge id)
   * @param values the current values, read at every publication
   * @param producer the producer to send with; closed by {@link #close()}
   * @param clock wall-clock milliseconds
   */
  public MetricsPublisher(
      String component,
      String instanceId,
      Map<String, String> tags,
      Supplier<Map<String, Double>> values,
      Producer<String, MetricEvent> producer,
      LongSupplier clock) {
    this.component = Objects.requireNonNull(component, "component");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.tags = Map.copyOf(tags);
    this.values = Objects.requireNonNull(values, "values");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, component + "-" + instanceId + "-metrics");
              t.setDaemon(true);
              return t;
            });
  }

  /** Publishes every {@code interval} from now on. */
  public void start(Duration interval) {
    long ms = interval.toMillis();
    scheduler.scheduleAtFixedRate(this::publish, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** The event the next publication would send. */
  public MetricEvent event() {
    return MetricEvent.newBuilder()
        .setComponent(component)
        .setInstanceId(instanceId)
        .setStep(-1)
        .setPolicyVersion(-1)
        .setValues(Map.copyOf(values.get()))
        .setTags(tags)
        .setTime(Instant.ofEpochMilli(clock.getAsLong()))
        .build();
  }

  /** Sends one event now (asynchronously). */
  public synchronized void publish() {
    if (closed) {
      return;
    }
    try {
      producer.send(
          new ProducerRecord<>(Topics.METRICS.name(), component, event()),
          (metadata, error) -> {
            if (error != null) {
              LOG.warn("{} {}: a metric event was not published: {}", component, instanceId, error);
            }
          });
    } catch (RuntimeException e) {
      LOG.warn("{} {}: a metric event was not published: {}", component, instanceId, e.toString());
    }
  }

  /** Stops the schedule, publishes a last event, flushes and closes the producer. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publish();
    synchronized (this) {
      closed = true;
    }
    producer.flush();
    producer.close(Duration.ofSeconds(5));
  }
}
