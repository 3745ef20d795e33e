package dev.lodestone.infra.run;

import dev.lodestone.judge.eval.Evaluation;
import dev.lodestone.judge.eval.Evaluator;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code metrics} topic from a point in time on and keeps the evaluator's evaluations
 * of one model (the trace that the report plots), one per policy version, in version order. Runs on
 * its own daemon thread; {@link #close()} stops it. Records that cannot be decoded are skipped
 * (they are another component's concern).
 */
public final class MetricsTail implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsTail.class);

  private final ClusterConfig cluster;
  private final String modelId;
  private final Instant from;
  private final TreeMap<Long, EvalPoint> points = new TreeMap<>();
  private final Thread thread;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile boolean stop;

  /**
   * Starts following.
   *
   * @param modelId the model whose evaluations to keep (the evaluator's {@code modelId} tag)
   * @param from the earliest publication time kept
   */
  public MetricsTail(ClusterConfig cluster, String modelId, Instant from) {
    this.cluster = cluster;
    this.modelId = modelId;
    this.from = from;
    this.thread = new Thread(this::run, "metrics-tail");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** The evaluations read so far, in version order. */
  public synchronized List<EvalPoint> points() {
    return new ArrayList<>(points.values());
  }

  /** The evaluation of the newest version read so far. */
  public synchronized Optional<EvalPoint> latest() {
    return points.isEmpty() ? Optional.empty() : Optional.of(points.lastEntry().getValue());
  }

  private synchronized void add(EvalPoint p) {
    points.put(p.policyVersion(), p);
  }

  private void run() {
    Properties p = cluster.clientProperties("metrics-tail-" + modelId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    AvroDeserializer<MetricEvent> values =
        TopicSerdes.valueDeserializer(Topics.METRICS, cluster.registryClient());
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            p,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer = c;
      if (stop) {
        return;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : c.partitionsFor(Topics.METRICS.name(), Duration.ofSeconds(60))) {
        partitions.add(new TopicPartition(info.topic(), info.partition()));
      }
      c.assign(partitions);
      Map<TopicPartition, Long> query = new HashMap<>();
      for (TopicPartition tp : partitions) {
        query.put(tp, from.toEpochMilli());
      }
      Map<TopicPartition, OffsetAndTimestamp> start = c.offsetsForTimes(query);
      Map<TopicPartition, Long> ends = c.endOffsets(partitions);
      for (TopicPartition tp : partitions) {
        OffsetAndTimestamp o = start.get(tp);
        c.seek(tp, o == null ? ends.get(tp) : o.offset());
      }
      while (!stop) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (!Evaluator.COMPONENT.equals(r.key())) {
            continue;
          }
          MetricEvent e;
          try {
            e = values.decode(r);
          } catch (RecordDecodingException ex) {
            continue;
          }
          if (!Evaluator.COMPONENT.equals(e.getComponent())
              || !modelId.equals(e.getTags().get("modelId"))) {
            continue;
          }
          add(point(e));
        }
      }
    } catch (WakeupException e) {
      // closed
    } catch (RuntimeException e) {
      if (!stop) {
        LOG.warn("metrics tail stopped: {}", e.toString());
      }
    }
  }

  /** The evaluation in a metric event of the evaluator. */
  static EvalPoint point(MetricEvent e) {
    Map<String, Double> probs = new LinkedHashMap<>();
    Map<String, Double> v = e.getValues();
    for (Map.Entry<String, Double> x : v.entrySet()) {
      if (x.getKey().startsWith(Evaluation.PROBABILITY_PREFIX)) {
        probs.put(x.getKey().substring(Evaluation.PROBABILITY_PREFIX.length()), x.getValue());
      }
    }
    return new EvalPoint(
        e.getStep(),
        e.getPolicyVersion(),
        v.getOrDefault(Evaluation.EXPLOITABILITY, Double.NaN),
        v.getOrDefault(Evaluation.WIN_RATE_VS_INITIAL, Double.NaN),
        v.getOrDefault(Evaluation.INVALID_MASS, Double.NaN),
        probs);
  }

  /** Waits until a version at least {@code version} is read, at most {@code timeout}. */
  public boolean awaitVersion(long version, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<EvalPoint> l = latest();
      if (l.isPresent() && l.get().policyVersion() >= version) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Override
  public void close() {
    stop = true;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
