package dev.lodestone.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stack with a data directory keeps its storage across a restart, and owns the directory. */
@Tag("integration")
class LocalStackRestartIT {

  @TempDir Path dataDir;

  @Test
  void shouldKeepTopicsRecordsAndSchemaIdsWhenRestartedOnTheSameDataDirectory() throws Exception {
    LocalStackConfig config = LocalStackConfig.ephemeral().withDataDir(dataDir);
    RecordMetadata written;
    int schemaId;
    try (LocalStack first = new LocalStack(config)) {
      first.start(LocalStack.DEFAULT_START_TIMEOUT);
      assertThat(first.formattedStorage()).isTrue();
      assertThat(first.directory()).isEqualTo(dataDir.toAbsolutePath().normalize());
      written = produce(first.bootstrapServers(), "kept-key", "kept-value");
      schemaId =
          new RestSchemaRegistryClient(first.registryUrl())
              .register(Topics.PROMPTS.valueSubject(), Topics.PROMPTS.valueSchema());

      // A second stack may not share the data directory of a running one.
      LocalStack intruder = new LocalStack(config);
      assertThatThrownBy(() -> intruder.start(LocalStack.DEFAULT_START_TIMEOUT))
          .isInstanceOf(DataDirException.class)
          .hasMessageContaining(dataDir.toString())
          .hasMessageContaining("in use by another running Lodestone stack");
      assertThat(intruder.state()).isEqualTo(LocalStack.State.FAILED);
      assertThat(first.state()).isEqualTo(LocalStack.State.RUNNING);
    }
    assertThat(dataDir.resolve(LocalStack.KAFKA_DIR).resolve(EmbeddedKafka.META_PROPERTIES))
        .exists();

    // Other (free) ports this time: the stored cluster does not depend on them.
    try (LocalStack second = new LocalStack(config)) {
      second.start(LocalStack.DEFAULT_START_TIMEOUT);
      assertThat(second.formattedStorage()).isFalse();
      assertThat(second.provisionedTopics().created()).isEmpty();
      assertThat(second.provisionedTopics().existing())
          .containsExactlyElementsOf(Topics.ALL.stream().map(TopicSpec::name).toList());
      try (Admin admin = Admin.create(second.clientConfig())) {
        var prompts = admin.describeTopics(List.of(Topics.PROMPTS.name())).allTopicNames().get();
        assertThat(prompts.get(Topics.PROMPTS.name()).partitions())
            .hasSize(Topics.PROMPTS.partitions());
      }
      assertThat(readAt(second.bootstrapServers(), written))
          .isEqualTo(Optional.of("kept-key=kept-value"));
      var registry = new RestSchemaRegistryClient(second.registryUrl());
      assertThat(registry.schemaById(schemaId)).isEqualTo(Topics.PROMPTS.valueSchema());
      assertThat(registry.lookup(Topics.PROMPTS.valueSubject(), Topics.PROMPTS.valueSchema()))
          .isEqualTo(schemaId);
    }
    assertThat(dataDir).exists();
  }

  @Test
  void shouldRefuseADataDirectoryThatCannotBeCreated() throws Exception {
    Path file = Files.writeString(dataDir.resolve("a-file"), "not a directory");
    LocalStack stack =
        new LocalStack(LocalStackConfig.ephemeral().withDataDir(file.resolve("sub")));
    assertThatThrownBy(() -> stack.start(LocalStack.DEFAULT_START_TIMEOUT))
        .isInstanceOf(DataDirException.class)
        .hasMessageStartingWith("data directory " + file.resolve("sub") + " cannot be created");
    assertThat(stack.state()).isEqualTo(LocalStack.State.FAILED);
  }

  private static RecordMetadata produce(String bootstrap, String key, String value)
      throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      return producer.send(new ProducerRecord<>(Topics.PROMPTS.name(), key, value)).get();
    }
  }

  private static Optional<String> readAt(String bootstrap, RecordMetadata at) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    TopicPartition tp = new TopicPartition(at.topic(), at.partition());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, at.offset());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() == at.offset()) {
            return Optional.of(r.key() + "=" + r.value());
          }
        }
      }
    }
    return Optional.empty();
  }
}
