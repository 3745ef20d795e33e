package dev.lodestone.learner.it;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.testing.TestBroker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The shared {@link TestBroker} and what a learner test needs to play the label join: append
 * labelled groups (or garbage) to {@code labeled}, and read the learner's committed position.
 */
final class TestCluster {
  static final Duration DEADLINE = TestBroker.DEADLINE;

  private final TestBroker broker;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerializer<LabeledGroup> labeled;

  private TestCluster(TestBroker broker) {
    this.broker = broker;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.labeled =
        TopicSerdes.valueSerializer(
            Topics.LABELED, broker.registry(), SchemaRegistration.AUTO_REGISTER);
  }

  static TestCluster start() throws Exception {
    return new TestCluster(TestBroker.start());
  }

  ClusterConfig config() {
    return broker.config();
  }

  /** Appends labelled groups to {@code labeled}, in order; returns the offset of the first. */
  long append(List<LabeledGroup> groups) throws Exception {
    long first = -1;
    for (LabeledGroup g : groups) {
      long offset =
          producer
              .send(
                  new ProducerRecord<>(
                      Topics.LABELED.name(), g.getGroup().getGroupId(), labeled.encode(g)))
              .get()
              .offset();
      first = first < 0 ? offset : first;
    }
    return first;
  }

  /** Appends raw bytes to {@code labeled}; returns the offset. */
  long appendRaw(String key, byte[] value) throws Exception {
    return producer.send(new ProducerRecord<>(Topics.LABELED.name(), key, value)).get().offset();
  }

  /** The end offset of {@code labeled}: where the next record will go. */
  long labeledEnd() {
    return broker.endOffsetSum(Topics.LABELED);
  }

  /** The offset the consumer group committed on {@code labeled}, or -1. */
  long committed(String groupId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.LABELED.name(), 0);
      OffsetAndMetadata m = consumer.committed(Set.of(tp)).get(tp);
      return m == null ? -1 : m.offset();
    }
  }

  /** Every committed record of a topic up to its current end, decoded. */
  <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(TopicSpec<V> topic) {
    return broker.readAll(topic);
  }

  /** Waits until the condition holds; fails after {@link #DEADLINE}. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    TestBroker.await(what, condition);
  }

  /** Stops the producer and the broker. */
  void stop() throws Exception {
    producer.close();
    broker.close();
  }
}
