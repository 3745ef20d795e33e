package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroSerde;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lodestone up} as a separate JVM, the way a user runs it; clients in this JVM use it. The
 * last test stops it with SIGTERM.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpCommandIT {
  private static final Duration START = Duration.ofSeconds(120);
  private static final Pattern KAFKA_LINE =
      Pattern.compile("Kafka bootstrap: (127\\.0\\.0\\.1:\\d+)");
  private static final Pattern REGISTRY_LINE =
      Pattern.compile("Schema registry: (http://127\\.0\\.0\\.1:\\d+)");
  private static final Pattern STACK_DIR = Pattern.compile("Local stack running in (\\S+):");

  @TempDir static Path work;
  private static Path tmpDir;
  private static UpProcess up;
  private static String bootstrap;
  private static String registry;

  @BeforeAll
  static void startUp() throws Exception {
    tmpDir = Files.createDirectories(work.resolve("tmp"));
    up =
        UpProcess.start(
            tmpDir, work.resolve("up.stderr"), "up", "--kafka-port", "0", "--registry-port", "0");
    String first = up.readLine(START);
    String second = up.readLine(START);
    Matcher kafka = KAFKA_LINE.matcher(String.valueOf(first));
    Matcher reg = REGISTRY_LINE.matcher(String.valueOf(second));
    assertThat(kafka.matches()).as("first line %s; stderr:%n%s", first, up.stderr()).isTrue();
    assertThat(reg.matches()).as("second line %s", second).isTrue();
    bootstrap = kafka.group(1);
    registry = reg.group(1);
  }

  @AfterAll
  static void stopUp() throws Exception {
    if (up != null) {
      up.close();
    }
  }

  @Test
  @Order(1)
  void shouldServeTheRegistryApiAtThePrintedUrl() throws Exception {
    HttpResponse<String> subjects =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(registry + "/subjects")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(subjects.statusCode()).isEqualTo(200);
    assertThat(subjects.body()).startsWith("[").endsWith("]");
  }

  @Test
  @Order(2)
  void shouldCarryRecordsBetweenAProducerAndAConsumerGroupInAnotherJvm() throws Exception {
    String key = UUID.randomUUID().toString();
    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(Topics.METRICS.name(), key, "value-" + i)).get();
      }
    }

    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "up-it-" + key);
    consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<String> values = new java.util.ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
      consumer.subscribe(List.of(Topics.METRICS.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < 10 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(key)) {
            values.add(r.value());
          }
        }
      }
      consumer.commitSync();
    }
    assertThat(values)
        .containsExactly(
            "value-0", "value-1", "value-2", "value-3", "value-4", "value-5", "value-6", "value-7",
            "value-8", "value-9");
  }

  @Test
  @Order(3)
  void shouldRoundTripEveryRecordTypeWithRegistryBackedSerdes() throws Exception {
    for (CatalogueExamples.Example<?> example : CatalogueExamples.all()) {
      roundTrip(example);
    }
    assertThat(new RestSchemaRegistryClient(registry).subjects())
        .containsAll(Topics.ALL.stream().map(TopicSpec::valueSubject).toList());
  }

  /**
   * Writes the example with a serde whose registry client registers its schema, then reads it back
   * with another client that knows nothing yet: the schema id in the record's first bytes must
   * resolve through the registry of the other JVM.
   */
  private static <V extends SpecificRecord> void roundTrip(CatalogueExamples.Example<V> example)
      throws Exception {
    TopicSpec<V> topic = example.topic();
    String key = "round-trip-" + UUID.randomUUID();
    AvroSerde<V> writing = TopicSerdes.valueSerde(topic, new RestSchemaRegistryClient(registry));
    Map<String, Object> producerConfig = new HashMap<>();
    producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    RecordMetadata written;
    try (KafkaProducer<String, V> producer =
        new KafkaProducer<>(
            producerConfig, TopicSerdes.keySerde().serializer(), writing.serializer())) {
      written = producer.send(new ProducerRecord<>(topic.name(), key, example.value().get())).get();
    }

    Map<String, Object> consumerConfig = new HashMap<>();
    consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    AvroSerde<V> reading = TopicSerdes.valueSerde(topic, new RestSchemaRegistryClient(registry));
    TopicPartition tp = new TopicPartition(written.topic(), written.partition());
    byte[] raw = null;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig, TopicSerdes.keySerde().deserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, written.offset());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (raw == null && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key().equals(key)) {
            raw = r.value();
            assertThat(reading.deserializer().decode(r))
                .as("%s read back", topic.name())
                .isEqualTo(example.value().get());
          }
        }
      }
    }
    assertThat(raw).as("record on %s", topic.name()).isNotNull();
    int registeredId =
        new RestSchemaRegistryClient(registry).lookup(topic.valueSubject(), topic.valueSchema());
    assertThat(raw[0]).as("magic byte on %s", topic.name()).isZero();
    assertThat(ByteBuffer.wrap(raw, 1, 4).getInt())
        .as("schema id on %s", topic.name())
        .isEqualTo(registeredId);
  }

  @Test
  @Order(4)
  void shouldRefuseASecondUpOnTheSameKafkaPortWithOneClearLine() throws Exception {
    String port = bootstrap.substring(bootstrap.lastIndexOf(':') + 1);
    Path stderr = work.resolve("second.stderr");
    try (UpProcess second =
        UpProcess.start(tmpDir, stderr, "up", "--kafka-port", port, "--registry-port", "0")) {
      assertThat(second.awaitExit(START)).isEqualTo(1);
      assertThat(second.readLine(Duration.ofSeconds(5))).isNull();
      assertThat(second.stderr())
          .isEqualTo(
              "lodestone up: port "
                  + port
                  + " on 127.0.0.1 for the Kafka broker is already in use"
                  + " (choose another with --kafka-port, or 0 for a free one)"
                  + System.lineSeparator());
    }
  }

  @Test
  @Order(100)
  void shouldStopCleanlyOnSigtermAndDeleteItsTemporaryDirectory() throws Exception {
    Matcher dir = STACK_DIR.matcher(up.stderr());
    assertThat(dir.find()).as("stderr names the stack's directory:%n%s", up.stderr()).isTrue();
    Path stackDir = Path.of(dir.group(1));
    assertThat(stackDir).startsWith(tmpDir).isDirectory();

    up.process().destroy(); // SIGTERM

    assertThat(up.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
    String stderr = up.stderr();
    assertThat(stderr)
        .contains("Local stack stopped")
        .doesNotContain("Exception")
        .doesNotContain("|-ERROR"); // logback's own configuration errors
    assertThat(stackDir).doesNotExist();
    assertThat(listing(tmpDir)).noneMatch(name -> name.startsWith("lodestone-stack-"));
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }
}
