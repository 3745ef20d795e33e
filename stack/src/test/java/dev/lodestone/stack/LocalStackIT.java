package dev.lodestone.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The local stack against its real embedded broker: one stack for the whole class. */
@Tag("integration")
class LocalStackIT {
  private static LocalStack stack;

  @BeforeAll
  static void startStack() {
    stack = new LocalStack(LocalStackConfig.ephemeral());
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void shouldRunWithEveryCatalogueTopicCreatedWithItsPartitionsAndCleanupPolicy() throws Exception {
    assertThat(stack.state()).isEqualTo(LocalStack.State.RUNNING);
    assertThat(stack.bootstrapServers()).isEqualTo("127.0.0.1:" + stack.kafkaPort());
    assertThat(stack.formattedStorage()).isTrue();
    List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
    assertThat(stack.provisionedTopics().created()).containsExactlyElementsOf(names);
    assertThat(stack.provisionedTopics().existing()).isEmpty();

    try (Admin admin = Admin.create(stack.clientConfig())) {
      Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
      var resources =
          names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
      Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
      for (TopicSpec<?> spec : Topics.ALL) {
        assertThat(topics.get(spec.name()).partitions())
            .as("partitions of %s", spec.name())
            .hasSize(spec.partitions())
            .allSatisfy(p -> assertThat(p.leader()).isNotNull());
        Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
        assertThat(config.get("cleanup.policy").value())
            .as("cleanup.policy of %s", spec.name())
            .isEqualTo(spec.cleanup().kafkaName());
        spec.configs()
            .forEach(
                (k, v) ->
                    assertThat(config.get(k).value()).as("%s of %s", k, spec.name()).isEqualTo(v));
      }
    }
  }

  @Test
  void shouldRunTheFirstTransactionProtocol() throws Exception {
    // EmbeddedKafka.TRANSACTION_VERSION: version 2's retry loop on a lost producer state
    try (Admin admin = Admin.create(stack.clientConfig())) {
      var features = admin.describeFeatures().featureMetadata().get().finalizedFeatures();
      assertThat(features.get("transaction.version").maxVersionLevel()).isEqualTo((short) 1);
    }
  }

  @Test
  void shouldServeTheSchemaRegistryAtItsUrl() {
    assertThat(stack.registryUrl()).isEqualTo("http://127.0.0.1:" + stack.registryPort());
    var client = new RestSchemaRegistryClient(stack.registryUrl());
    int id = client.register(Topics.METRICS.valueSubject(), Topics.METRICS.valueSchema());
    assertThat(client.schemaById(id)).isEqualTo(Topics.METRICS.valueSchema());
    assertThat(client.subjects()).contains(Topics.METRICS.valueSubject());
  }

  @Test
  void shouldShowCommittedTransactionsAndHideAbortedOnesFromReadCommittedConsumers()
      throws Exception {
    String topic = Topics.LABELED.name();
    Map<String, Object> producerConfig = new HashMap<>(stack.clientConfig());
    producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + UUID.randomUUID());
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    String run = UUID.randomUUID().toString();
    RecordMetadata last;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, run, "committed-" + i));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 2; i++) {
        producer.send(new ProducerRecord<>(topic, run, "aborted-" + i));
      }
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      last = producer.send(new ProducerRecord<>(topic, run, "committed-after-abort")).get();
      producer.commitTransaction();
    }

    TopicPartition partition = new TopicPartition(topic, 0);
    List<String> readCommitted = readUpTo(partition, last.offset(), "read_committed", run);
    List<String> readUncommitted = readUpTo(partition, last.offset(), "read_uncommitted", run);

    assertThat(readCommitted)
        .containsExactly("committed-0", "committed-1", "committed-2", "committed-after-abort");
    assertThat(readUncommitted)
        .containsExactly(
            "committed-0",
            "committed-1",
            "committed-2",
            "aborted-0",
            "aborted-1",
            "committed-after-abort");
  }

  @Test
  void shouldAcceptAWeightChunkOfSeveralMegabytesOnThePolicyTopic() throws Exception {
    byte[] chunk = new byte[5 * 1024 * 1024];
    Arrays.fill(chunk, (byte) 7);
    Map<String, Object> producerConfig = new HashMap<>(stack.clientConfig());
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    String key = "chunk-" + UUID.randomUUID();
    RecordMetadata written;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig)) {
      written = producer.send(new ProducerRecord<>(Topics.POLICY.name(), key, chunk)).get();
    }
    Map<String, Object> consumerConfig = new HashMap<>(stack.clientConfig());
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
      TopicPartition tp = new TopicPartition(written.topic(), written.partition());
      consumer.assign(List.of(tp));
      consumer.seek(tp, written.offset());
      byte[] read = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (read == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(key)) {
            read = r.value();
          }
        }
      }
      assertThat(read).isEqualTo(chunk);
    }
  }

  @Test
  void shouldRefuseAKafkaPortInUseNamingThePortBeforeStartingAnything() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();
      LocalStack second = new LocalStack(LocalStackConfig.ephemeral().withPorts(port, 0, 0));
      assertThatThrownBy(() -> second.start(LocalStack.DEFAULT_START_TIMEOUT))
          .isInstanceOfSatisfying(
              PortInUseException.class,
              e -> {
                assertThat(e.port()).isEqualTo(port);
                assertThat(e.purpose()).isEqualTo(PortInUseException.Purpose.KAFKA);
              })
          .hasMessage("port " + port + " on 127.0.0.1 for the Kafka broker is already in use");
      assertThat(second.state()).isEqualTo(LocalStack.State.FAILED);
    }
  }

  @Test
  void shouldRefuseTheRunningRegistrysPortNamingIt() {
    int port = stack.registryPort();
    LocalStack second = new LocalStack(LocalStackConfig.ephemeral().withPorts(0, 0, port));
    assertThatThrownBy(() -> second.start(LocalStack.DEFAULT_START_TIMEOUT))
        .isInstanceOfSatisfying(
            PortInUseException.class,
            e -> assertThat(e.purpose()).isEqualTo(PortInUseException.Purpose.REGISTRY))
        .hasMessage("port " + port + " on 127.0.0.1 for the schema registry is already in use");
  }

  @Test
  void shouldRefuseTheRunningBrokersOwnPortForAnotherStack() {
    LocalStack second =
        new LocalStack(LocalStackConfig.ephemeral().withPorts(0, 0, stack.kafkaPort()));
    assertThatThrownBy(() -> second.start(LocalStack.DEFAULT_START_TIMEOUT))
        .isInstanceOf(PortInUseException.class)
        .hasMessageContaining("port " + stack.kafkaPort())
        .hasMessageContaining("the schema registry");
  }

  private static List<String> readUpTo(
      TopicPartition partition, long lastOffset, String isolation, String key) {
    Map<String, Object> consumerConfig = new HashMap<>(stack.clientConfig());
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(partition) <= lastOffset && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(key)) {
            values.add(r.value());
          }
        }
      }
      assertThat(consumer.position(partition))
          .as("consumer reached the last committed record")
          .isGreaterThan(lastOffset);
    }
    return values;
  }
}
