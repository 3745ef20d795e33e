package dev.lodestone.service;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.serde.AvroSerializer;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a service's metric events to {@code metrics} (key: the component), outside any transaction:
 * a failed send (the cluster or the schema registry not answering) drops the event and is logged
 * once per run of failures, never fatal, since a metric is not worth stopping a service for.
 */
public final class MetricsSender {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsSender.class);

  private final String component;
  private final String instanceId;
  private final Producer<String, byte[]> producer;
  private final AvroSerializer<MetricEvent> values;
  private final Clock clock;
  private volatile boolean failing;

  /**
   * @param component the events' component ({@code learner}, {@code sampler}, ...)
   * @param instanceId the events' instance id
   * @param producer where the events go (not closed here)
   * @param values the event serializer
   * @param clock the events' time
   */
  public MetricsSender(
      String component,
      String instanceId,
      Producer<String, byte[]> producer,
      AvroSerializer<MetricEvent> values,
      Clock clock) {
    this.component = Objects.requireNonNull(component, "component");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.values = Objects.requireNonNull(values, "values");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Sends one event now. */
  public void send(
      long step, long policyVersion, Map<String, Double> metrics, Map<String, String> tags) {
    MetricEvent event =
        MetricEvent.newBuilder()
            .setComponent(component)
            .setInstanceId(instanceId)
            .setStep(step)
            .setPolicyVersion(policyVersion)
            .setValues(metrics)
            .setTags(tags)
            .setTime(clock.instant())
            .build();
    try {
      producer.send(
          new ProducerRecord<>(Topics.METRICS.name(), component, values.encode(event)),
          (metadata, error) -> {
            if (error != null) {
              failed(error);
            } else {
              failing = false;
            }
          });
    } catch (RuntimeException e) { // the registry or the cluster does not answer: drop the event
      failed(e);
    }
  }

  /** Logs a failure once per run of failures: an outage must not flood the log. */
  private void failed(Exception e) {
    if (!failing) {
      failing = true;
      LOG.warn(
          "{}: could not publish metrics ({}); dropping them until it works again",
          instanceId,
          e.toString());
    }
  }
}
