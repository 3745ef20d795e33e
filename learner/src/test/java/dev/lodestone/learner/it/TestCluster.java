package dev.lodestone.learner.it;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.EmbeddedSchemaRegistry;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft cluster (PLATFORM.md's replication-factor-1 settings) with the catalogue's
 * topics and the embedded schema registry, and what a test needs to play the label join: append
 * labelled groups (or garbage) to {@code labeled}.
 */
final class TestCluster {
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private final KafkaClusterTestKit kit;
  private final EmbeddedSchemaRegistry registryServer;
  private final RestSchemaRegistryClient registry;
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerializer<LabeledGroup> labeled;

  private TestCluster(KafkaClusterTestKit kit, EmbeddedSchemaRegistry registryServer) {
    this.kit = kit;
    this.registryServer = registryServer;
    this.registry = new RestSchemaRegistryClient(registryServer.url());
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.labeled =
        TopicSerdes.valueSerializer(Topics.LABELED, registry, SchemaRegistration.AUTO_REGISTER);
  }

  static TestCluster start() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
            .build();
    KafkaClusterTestKit kit =
        new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("log.cleaner.dedupe.buffer.size", Integer.toString(4 << 20))
            .build();
    kit.format();
    kit.startup();
    kit.waitForReadyBrokers();
    List<NewTopic> topics = new ArrayList<>();
    for (TopicSpec<?> spec : Topics.ALL) {
      topics.add(
          new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.topicConfigs()));
    }
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kit.bootstrapServers()))) {
      admin.createTopics(topics).all().get();
    }
    return new TestCluster(kit, EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.empty()));
  }

  ClusterConfig config() {
    return ClusterConfig.of(kit.bootstrapServers(), registryServer.url());
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
    try (KafkaConsumer<byte[], byte[]> consumer = rawConsumer()) {
      TopicPartition tp = new TopicPartition(Topics.LABELED.name(), 0);
      consumer.assign(List.of(tp));
      return consumer.endOffsets(List.of(tp)).get(tp);
    }
  }

  /** The offset the consumer group committed on {@code labeled}, or -1. */
  long committed(String groupId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(Topics.LABELED.name(), 0);
      OffsetAndMetadata m = consumer.committed(java.util.Set.of(tp)).get(tp);
      return m == null ? -1 : m.offset();
    }
  }

  private KafkaConsumer<byte[], byte[]> rawConsumer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Every committed record of a topic up to its current end, decoded. */
  <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(TopicSpec<V> topic) {
    AvroDeserializer<V> values = TopicSerdes.valueDeserializer(topic, registry);
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, V>> out = new ArrayList<>();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("did not reach the end offsets " + end + " of " + topic.name());
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(
              new ConsumerRecord<>(
                  r.topic(), r.partition(), r.offset(), r.key(), values.decode(r)));
        }
      }
      return out;
    }
  }

  /** Waits until the condition holds, checking every 50 ms; fails after {@link #DEADLINE}. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Stops the producer, the registry and the cluster. */
  void stop() throws Exception {
    producer.close();
    registryServer.close();
    kit.close();
  }
}
