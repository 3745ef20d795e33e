package dev.lodestone.stack.testing;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.registry.EmbeddedSchemaRegistry;
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
 * The broker every module's integration tests run against: a single-node KRaft cluster from Kafka's
 * test kit with PLATFORM.md's replication-factor-1 settings, every topic of the catalogue with its
 * layout and configs, and the embedded schema registry over HTTP. Shared through the schemas test
 * jar.
 */
public final class TestBroker implements AutoCloseable {
  /** How long the helpers here wait before they fail a test. */
  public static final Duration DEADLINE = Duration.ofSeconds(60);

  private final KafkaClusterTestKit kit;
  private final EmbeddedSchemaRegistry registryServer;
  private final RestSchemaRegistryClient registry;

  private TestBroker(KafkaClusterTestKit kit, EmbeddedSchemaRegistry registryServer) {
    this.kit = kit;
    this.registryServer = registryServer;
    this.registry = new RestSchemaRegistryClient(registryServer.url());
  }

  /** Starts the cluster, creates the catalogue's topics and starts the registry. */
  public static TestBroker start() throws Exception {
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
            .setConfigProp("default.replication.factor", "1")
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
    return new TestBroker(kit, EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.empty()));
  }

  /** The broker's bootstrap servers. */
  public String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /** The registry's base URL. */
  public String registryUrl() {
    return registryServer.url();
  }

  /** What a service needs to connect. */
  public ClusterConfig config() {
    return ClusterConfig.of(kit.bootstrapServers(), registryServer.url());
  }

  /** The embedded registry server itself. */
  public EmbeddedSchemaRegistry registryServer() {
    return registryServer;
  }

  /** A REST client of the registry. */
  public RestSchemaRegistryClient registry() {
    return registry;
  }

  /** Every record of a topic up to its current end, read_committed, decoded. */
  public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(TopicSpec<V> topic) {
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

  /** The sum of the end offsets of a topic's partitions. */
  public long endOffsetSum(TopicSpec<?> topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions); // endOffsets of unassigned partitions logs warnings
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Sends raw bytes (garbage, or records framed by hand) to a topic partition. */
  public void sendRaw(String topic, int partition, String key, byte[] value) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
    }
  }

  /** Waits until the condition holds, checking every 50 ms; fails after {@link #DEADLINE}. */
  public static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Stops the registry and the cluster. */
  @Override
  public void close() throws Exception {
    registryServer.close();
    kit.close();
  }
}
