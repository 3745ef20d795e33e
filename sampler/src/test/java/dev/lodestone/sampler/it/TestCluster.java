package dev.lodestone.sampler.it;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.EmbeddedSchemaRegistry;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft cluster (PLATFORM.md's replication-factor-1 settings) with the catalogue's
 * topics, the embedded schema registry, and what a test needs to play the learner: publish policy
 * versions in chunks, in one transaction each.
 */
final class TestCluster {
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private final KafkaClusterTestKit kit;
  private final EmbeddedSchemaRegistry registryServer;
  private final RestSchemaRegistryClient registry;
  private final KafkaProducer<String, PolicyVersion> learner;

  private TestCluster(KafkaClusterTestKit kit, EmbeddedSchemaRegistry registryServer) {
    this.kit = kit;
    this.registryServer = registryServer;
    this.registry = new RestSchemaRegistryClient(registryServer.url());
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-learner");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    this.learner =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            TopicSerdes.valueSerializer(Topics.POLICY, registry, SchemaRegistration.AUTO_REGISTER));
    learner.initTransactions();
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

  RestSchemaRegistryClient registry() {
    return registry;
  }

  String bootstrapServers() {
    return kit.bootstrapServers();
  }

  /** One version as the learner publishes it. */
  record Version(
      ModelRole role,
      long version,
      long magnetVersion,
      long consumedGroups,
      int groupsPerVersion,
      byte[] weights) {}

  /** Publishes versions in one transaction, each in chunks of at most 16 KiB. */
  void publish(String modelId, Version... versions) {
    learner.beginTransaction();
    for (Version v : versions) {
      List<PolicyVersion> chunks =
          Chunker.policyVersionChunks(
              PolicyVersion.newBuilder()
                  .setModelId(modelId)
                  .setRole(v.role())
                  .setVersion(v.version())
                  .setMagnetVersion(v.magnetVersion())
                  .setStep(v.version() * 10)
                  .setAlgorithm(v.version() == 0 ? "warmup" : "mpo")
                  .setConsumedOffsets(List.of())
                  .setConsumedGroups(v.consumedGroups())
                  .setGroupsPerVersion(v.groupsPerVersion())
                  .setTime(Instant.now()),
              Chunker.split(v.weights(), 16 * 1024));
      for (PolicyVersion c : chunks) {
        learner.send(
            new ProducerRecord<>(
                Topics.POLICY.name(), modelId + "/" + v.role() + "/" + c.getChunkIndex(), c));
      }
    }
    learner.commitTransaction();
  }

  /** Every record of a topic up to its current end, decoded. */
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

  /** The sum of the end offsets of a topic. */
  long endOffsetSum(TopicSpec<?> topic) {
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

  /** Raw records to a topic partition (for garbage). */
  void sendRaw(String topic, int partition, String key, byte[] value) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            props,
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
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
    learner.close();
    registryServer.close();
    kit.close();
  }
}
