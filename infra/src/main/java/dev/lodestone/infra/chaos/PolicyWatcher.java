package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Follows the policy topic (read_committed) and keeps the newest POLICY version of a model. */
public final class PolicyWatcher implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final AvroDeserializer<PolicyVersion> values;
  private final String model;
  private PolicyVersion last;

  public PolicyWatcher(ClusterConfig cluster, String model) {
    Properties p = cluster.clientProperties("lodestone-policy-watcher");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    TopicPartition tp = new TopicPartition(Topics.POLICY.name(), 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    this.values = TopicSerdes.valueDeserializer(Topics.POLICY, cluster.registryClient());
    this.model = model;
  }

  /** The newest POLICY version's step read so far (-1: none). */
  public long maxStep() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
      PolicyVersion v = values.decode(r);
      if (v.getModelId().equals(model)
          && v.getRole() == ModelRole.POLICY
          && (last == null || v.getVersion() >= last.getVersion())) {
        last = v;
      }
    }
    return last == null ? -1 : last.getStep();
  }

  /** The newest POLICY version, after reading to the end. */
  public PolicyVersion last() throws InterruptedException {
    TopicReader.await(
        "the policy topic is read",
        Duration.ofSeconds(30),
        () -> {
          long before = last == null ? -1 : last.getVersion();
          maxStep();
          return last != null && last.getVersion() == before;
        });
    return last;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
