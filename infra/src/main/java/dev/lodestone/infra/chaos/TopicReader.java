package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads whole topics ({@code read_committed}) and consumer-group offsets: what the chaos benchmark
 * and the integration tests count.
 */
public final class TopicReader {
  private final ClusterConfig cluster;

  public TopicReader(ClusterConfig cluster) {
    this.cluster = cluster;
  }

  /** A committed record, decoded, with its position. */
  public record Read<V>(String key, V value, int partition, long offset) {}

  /** Every committed record of the topic, up to its end now, as raw bytes. */
  public List<ConsumerRecord<String, byte[]>> raw(String topic) {
    Properties p = cluster.clientProperties("lodestone-reader");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(30))) {
        parts.add(new TopicPartition(topic, i.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = stableEnd(c, parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * The end a read_committed reader reads to: the last stable offset, once it has caught up with
   * the high watermark (a transaction whose commit just returned may not have its markers yet), or
   * after 5 s as it is (a transaction still open).
   */
  private Map<TopicPartition, Long> stableEnd(
      KafkaConsumer<String, byte[]> c, List<TopicPartition> parts) {
    Map<TopicPartition, Long> high = new HashMap<>();
    try (Admin admin = Admin.create(cluster.clientProperties("lodestone-reader-watermark"))) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      admin
          .listOffsets(latest)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, o) -> high.put(tp, o.offset()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading the end of " + parts, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not read the end of " + parts, e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Map<TopicPartition, Long> stable = c.endOffsets(parts);
    while (!stable.equals(high) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      stable = c.endOffsets(parts);
    }
    return stable;
  }

  /** Every committed record of a catalogue topic, decoded. */
  public <V extends SpecificRecord> List<Read<V>> all(TopicSpec<V> topic) {
    AvroDeserializer<V> d = TopicSerdes.valueDeserializer(topic, cluster.registryClient());
    List<Read<V>> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : raw(topic.name())) {
      out.add(new Read<>(r.key(), d.decode(r), r.partition(), r.offset()));
    }
    return out;
  }

  /** The offsets a consumer group has committed. */
  public Map<TopicPartition, OffsetAndMetadata> committed(String groupId) throws Exception {
    Properties p = cluster.clientProperties("lodestone-reader-admin");
    try (Admin admin = Admin.create(p)) {
      return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    }
  }

  /** Polls {@code condition} every 200 ms until it holds; fails after {@code timeout}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting until " + what);
      }
      Thread.sleep(200);
    }
  }
}
