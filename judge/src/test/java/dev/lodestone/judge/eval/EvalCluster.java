package dev.lodestone.judge.eval;

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
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
 * topics and the embedded registry; the test publishes policy versions as the learner does.
 */
final class EvalCluster {
  static final Duration DEADLINE = Duration.ofSeconds(60);

  private final KafkaClusterTestKit kit;
  private final EmbeddedSchemaRegistry registryServer;
  private final RestSchemaRegistryClient registry;
  private final KafkaProducer<String, PolicyVersion> learner;

  private EvalCluster(KafkaClusterTestKit kit, EmbeddedSchemaRegistry registryServer) {
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

  static EvalCluster start() throws Exception {
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
    return new EvalCluster(kit, EmbeddedSchemaRegistry.start("127.0.0.1", 0, Optional.empty()));
  }

  ClusterConfig config() {
    return ClusterConfig.of(kit.bootstrapServers(), registryServer.url());
  }

  /**
   * Publishes a POLICY version in chunks of 16 KiB, in one transaction; with {@code corrupt}, one
   * chunk carries other bytes (its version's SHA-256 cannot match).
   */
  void publishPolicy(String modelId, long version, byte[] weights, boolean corrupt) {
    List<PolicyVersion> chunks =
        new ArrayList<>(
            Chunker.policyVersionChunks(
                PolicyVersion.newBuilder()
                    .setModelId(modelId)
                    .setRole(ModelRole.POLICY)
                    .setVersion(version)
                    .setMagnetVersion(0)
                    .setStep(version * 10)
                    .setAlgorithm(version == 0 ? "warmup" : "mpo")
                    .setConsumedOffsets(List.of())
                    .setConsumedGroups(version * 4)
                    .setGroupsPerVersion(4)
                    .setTime(Instant.now()),
                Chunker.split(weights, 16 * 1024)));
    if (corrupt) {
      PolicyVersion first = chunks.get(0);
      byte[] other = new byte[first.getWeights().remaining()];
      chunks.set(0, PolicyVersion.newBuilder(first).setWeights(ByteBuffer.wrap(other)).build());
    }
    learner.beginTransaction();
    for (PolicyVersion c : chunks) {
      learner.send(
          new ProducerRecord<>(Topics.POLICY.name(), modelId + "/POLICY/" + c.getChunkIndex(), c));
    }
    learner.commitTransaction();
  }

  /** Every value of a topic up to its current end, with its key. */
  <V extends SpecificRecord> List<Map.Entry<String, V>> readAll(TopicSpec<V> topic) {
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
      List<Map.Entry<String, V>> out = new ArrayList<>();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("did not reach the end offsets " + end + " of " + topic.name());
        }
        consumer
            .poll(Duration.ofMillis(200))
            .forEach(r -> out.add(Map.entry(r.key() == null ? "" : r.key(), values.decode(r))));
      }
      return out;
    }
  }

  /** Stops the producer, the registry and the cluster. */
  void stop() throws Exception {
    learner.close();
    registryServer.close();
    kit.close();
  }
}
