package dev.lodestone.stack.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.avro.TopicPartitionOffset;
import dev.lodestone.schemas.chunk.AssembledBlob;
import dev.lodestone.schemas.chunk.ChunkAssembler;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerde;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.EvolvedSchemas;
import dev.lodestone.schemas.serde.GenericAvroDeserializer;
import dev.lodestone.schemas.serde.GenericAvroSerializer;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.RecordDecodingException.Reason;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.schemas.serde.WireFormat;
import dev.lodestone.schemas.testing.SampleRecords;
import dev.lodestone.stack.registry.EmbeddedSchemaRegistry;
import dev.lodestone.stack.testing.TestBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
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
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The contracts against a real broker (one single-node KRaft cluster for the whole class) and the
 * embedded schema registry over HTTP: every record type round trip, transactions read with
 * read_committed, schema evolution in both directions, and undecodable records named by topic,
 * partition and offset.
 */
@Tag("integration")
class SchemasBrokerIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private static TestBroker broker;
  private static EmbeddedSchemaRegistry registryServer;
  private static RestSchemaRegistryClient registry;

  @BeforeAll
  static void startClusterAndRegistry() throws Exception {
    broker = TestBroker.start();
    registryServer = broker.registryServer();
    registry = broker.registry();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static Properties producerProps() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return props;
  }

  private static <V> KafkaProducer<String, V> producer(Serializer<V> values) {
    return new KafkaProducer<>(producerProps(), new StringSerializer(), values);
  }

  private static KafkaProducer<String, byte[]> rawProducer() {
    return producer(new ByteArraySerializer());
  }

  /** A test-only topic with one partition, created on demand. */
  private static <V extends SpecificRecord> TopicSpec<V> testTopic(String prefix, Class<V> type)
      throws Exception {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    TopicSpec<V> spec = new TopicSpec<>(name, 1, TopicSpec.Cleanup.DELETE, type, Map.of());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
    }
    return spec;
  }

  /**
   * Every record of every partition of a topic up to its end offset (the last stable offset for
   * read_committed), as raw bytes.
   */
  private static List<ConsumerRecord<String, byte[]>> readAll(String topic, String isolation) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // The high watermark, whatever the isolation: commitTransaction returns before every
      // partition has its marker, so a read_committed reader's end (the last stable offset) may
      // still be short of the records just committed; its position passes the watermark once the
      // markers are written.
      Map<TopicPartition, Long> end;
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
      try (KafkaConsumer<String, byte[]> ends =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        end = ends.endOffsets(partitions);
      }
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      Instant deadline = Instant.now().plus(DEADLINE);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (Instant.now().isAfter(deadline)) {
          throw new AssertionError("did not reach the end offsets " + end + " of " + topic);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> void send(
      TopicSpec<V> topic, String key, SpecificRecord value) throws Exception {
    AvroSerde<V> serde = TopicSerdes.valueSerde(topic, registry);
    try (KafkaProducer<String, V> producer = producer(serde.serializer())) {
      producer.send(new ProducerRecord<>(topic.name(), key, (V) value)).get();
    }
  }

  @Test
  void shouldRoundTripEveryRecordTypeThroughTheBroker() throws Exception {
    for (Map.Entry<TopicSpec<?>, SpecificRecord> entry : SampleRecords.byTopic().entrySet()) {
      send(entry.getKey(), "key-" + entry.getKey().name(), entry.getValue());
    }
    for (Map.Entry<TopicSpec<?>, SpecificRecord> entry : SampleRecords.byTopic().entrySet()) {
      TopicSpec<?> topic = entry.getKey();
      AvroDeserializer<?> deserializer = TopicSerdes.valueDeserializer(topic, registry);
      List<ConsumerRecord<String, byte[]>> records = readAll(topic.name(), "read_committed");
      List<Object> values =
          records.stream()
              .filter(r -> ("key-" + topic.name()).equals(r.key()))
              .map(r -> (Object) deserializer.decode(r))
              .toList();
      assertThat(values).as(topic.name()).containsExactly(entry.getValue());
    }
    assertThat(registryServer.registry().subjects())
        .containsAll(Topics.ALL.stream().map(TopicSpec::valueSubject).toList());
  }

  @Test
  void shouldShowACommittedTransactionWhollyAndAnAbortedOneNeverToReadCommitted() throws Exception {
    TopicSpec<Prompt> topic = testTopic("it-transactions", Prompt.class);
    AvroSerde<Prompt> serde = TopicSerdes.valueSerde(topic, registry);
    Properties props = producerProps();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + topic.name());
    try (KafkaProducer<String, Prompt> producer =
        new KafkaProducer<>(props, new StringSerializer(), serde.serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic.name(), "committed", prompt("a" + i)));
      }
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 2; i++) {
        producer.send(new ProducerRecord<>(topic.name(), "aborted", prompt("b" + i)));
      }
      producer.flush(); // the aborted records really reach the log
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic.name(), "committed", prompt("c0")));
      producer.commitTransaction();
    }

    List<String> committed =
        readAll(topic.name(), "read_committed").stream()
            .map(r -> serde.deserializer().decode(r).getPromptId())
            .toList();
    List<String> uncommitted =
        readAll(topic.name(), "read_uncommitted").stream()
            .map(r -> serde.deserializer().decode(r).getPromptId())
            .toList();

    assertThat(committed).containsExactly("a0", "a1", "a2", "c0");
    assertThat(uncommitted).containsExactly("a0", "a1", "a2", "b0", "b1", "c0");
  }

  @Test
  void shouldPublishAChunkedVersionInOneTransactionAndReassembleIt() throws Exception {
    TopicSpec<PolicyVersion> topic = testTopic("it-policy", PolicyVersion.class);
    AvroSerde<PolicyVersion> serde = TopicSerdes.valueSerde(topic, registry);
    byte[] weights = new byte[1_500_000];
    new Random(11).nextBytes(weights);
    List<PolicyVersion> chunks =
        Chunker.policyVersionChunks(
            PolicyVersion.newBuilder()
                .setModelId("model-it")
                .setRole(ModelRole.POLICY)
                .setVersion(1)
                .setMagnetVersion(0)
                .setStep(10)
                .setAlgorithm("mpo")
                .setConsumedOffsets(List.of(new TopicPartitionOffset("labeled", 0, 10L)))
                .setTime(SampleRecords.TIME),
            Chunker.split(weights, Chunker.DEFAULT_MAX_CHUNK_BYTES));
    assertThat(chunks).hasSize(3);
    Properties props = producerProps();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + topic.name());
    try (KafkaProducer<String, PolicyVersion> producer =
        new KafkaProducer<>(props, new StringSerializer(), serde.serializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (PolicyVersion chunk : chunks) {
        producer.send(
            new ProducerRecord<>(topic.name(), "model-it/POLICY/" + chunk.getChunkIndex(), chunk));
      }
      producer.commitTransaction();
    }

    ChunkAssembler<PolicyVersion> assembler = ChunkAssembler.forPolicyVersion();
    for (ConsumerRecord<String, byte[]> record : readAll(topic.name(), "read_committed")) {
      assembler.add(serde.deserializer().decode(record));
    }
    AssembledBlob<PolicyVersion> assembled = assembler.assemble();
    assertThat(assembled.bytes()).isEqualTo(weights);
    assertThat(assembled.header().getStep()).isEqualTo(10);
  }

  @Test
  void shouldReadOldDataWithANewReaderAndNewDataWithAnOldReaderThroughTheBroker() throws Exception {
    TopicSpec<Prompt> topic = testTopic("it-evolution", Prompt.class);
    Schema v2 = EvolvedSchemas.promptV2();
    AvroSerde<Prompt> v1Serde = TopicSerdes.valueSerde(topic, registry);
    GenericAvroSerializer v2Writer =
        new GenericAvroSerializer(topic, v2, registry, SchemaRegistration.AUTO_REGISTER);
    try (KafkaProducer<String, Prompt> v1Producer = producer(v1Serde.serializer());
        KafkaProducer<String, GenericRecord> v2Producer = producer(v2Writer)) {
      v1Producer.send(new ProducerRecord<>(topic.name(), "v1", prompt("old"))).get();
      v2Producer
          .send(
              new ProducerRecord<>(
                  topic.name(), "v2", EvolvedSchemas.promptV2Record(v2, prompt("new"), "de")))
          .get();
    }
    List<ConsumerRecord<String, byte[]>> records = readAll(topic.name(), "read_committed");
    assertThat(records).extracting(ConsumerRecord::key).containsExactly("v1", "v2");
    assertThat(registry.versions(topic.valueSubject())).containsExactly(1, 2);
    assertThat(WireFormat.schemaId(records.get(0).value()))
        .isNotEqualTo(WireFormat.schemaId(records.get(1).value()));

    // v2 reader: the v1 record gets the default, the v2 record keeps its value.
    GenericAvroDeserializer v2Reader = new GenericAvroDeserializer(topic, v2, registry);
    assertThat(v2Reader.decode(records.get(0)).get("language")).hasToString("en");
    assertThat(v2Reader.decode(records.get(0)).get("promptId")).hasToString("old");
    assertThat(v2Reader.decode(records.get(1)).get("language")).hasToString("de");

    // v1 reader (the compiled class): both decode, the v2 field is dropped.
    assertThat(v1Serde.deserializer().decode(records.get(0))).isEqualTo(prompt("old"));
    assertThat(v1Serde.deserializer().decode(records.get(1))).isEqualTo(prompt("new"));
  }

  @Test
  void shouldReadANewerSampleGroupWithTheCompiledClassThroughTheBroker() throws Exception {
    TopicSpec<SampleGroup> topic = testTopic("it-evolution-samples", SampleGroup.class);
    Schema v2 = EvolvedSchemas.sampleGroupV2();
    GenericRecord newer =
        new GenericAvroDeserializer(topic, v2, registry)
            .deserialize(
                topic.name(),
                TopicSerdes.valueSerde(topic, registry)
                    .serializer()
                    .encode(SampleRecords.sampleGroup()));
    newer.put("temperature", 0.7);
    try (KafkaProducer<String, GenericRecord> producer =
        producer(
            new GenericAvroSerializer(topic, v2, registry, SchemaRegistration.AUTO_REGISTER))) {
      producer.send(new ProducerRecord<>(topic.name(), "group-1", newer)).get();
    }

    ConsumerRecord<String, byte[]> record = readAll(topic.name(), "read_committed").get(0);
    assertThat(TopicSerdes.valueDeserializer(topic, registry).decode(record))
        .isEqualTo(SampleRecords.sampleGroup());
    assertThat(new GenericAvroDeserializer(topic, v2, registry).decode(record).get("temperature"))
        .isEqualTo(0.7);
  }

  @Test
  void shouldNameTopicPartitionAndOffsetOfUndecodableRecordsAndDeadLetterThem() throws Exception {
    TopicSpec<Prompt> topic = testTopic("it-bad-bytes", Prompt.class);
    AvroSerde<Prompt> serde = TopicSerdes.valueSerde(topic, registry);
    byte[] valid = serde.serializer().encode(prompt("valid"));
    byte[] wrongMagic = valid.clone();
    wrongMagic[0] = 7;
    Map<String, byte[]> inputs = new java.util.LinkedHashMap<>();
    inputs.put("null", null);
    inputs.put("short", new byte[] {0, 0, 1});
    inputs.put("magic", wrongMagic);
    inputs.put("unknown-id", WireFormat.frame(987_654, Arrays.copyOfRange(valid, 5, valid.length)));
    inputs.put("truncated", Arrays.copyOf(valid, valid.length - 2));
    inputs.put("trailing", Arrays.copyOf(valid, valid.length + 1));
    inputs.put("valid", valid);
    try (KafkaProducer<String, byte[]> producer = rawProducer()) {
      for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
        producer.send(new ProducerRecord<>(topic.name(), input.getKey(), input.getValue())).get();
      }
    }

    List<ConsumerRecord<String, byte[]>> records = readAll(topic.name(), "read_committed");
    assertThat(records).hasSize(inputs.size());
    Map<String, Reason> expected =
        Map.of(
            "null", Reason.NULL_PAYLOAD,
            "short", Reason.TOO_SHORT,
            "magic", Reason.BAD_MAGIC_BYTE,
            "unknown-id", Reason.UNKNOWN_SCHEMA_ID,
            "truncated", Reason.TRUNCATED_PAYLOAD,
            "trailing", Reason.CORRUPT_PAYLOAD);
    List<DeadLetter> letters = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      if (record.key().equals("valid")) {
        assertThat(serde.deserializer().decode(record)).isEqualTo(prompt("valid"));
        continue;
      }
      assertThatThrownBy(() -> serde.deserializer().decode(record))
          .as(record.key())
          .isInstanceOfSatisfying(
              RecordDecodingException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(expected.get(record.key()));
                assertThat(e.topic()).isEqualTo(topic.name());
                assertThat(e.partition()).isEqualTo(record.partition());
                assertThat(e.offset()).isEqualTo(record.offset());
                assertThat(e.getMessage())
                    .contains(
                        "topic "
                            + topic.name()
                            + " partition "
                            + record.partition()
                            + " offset "
                            + record.offset());
                letters.add(DeadLetters.undecodable(record, e, "schemas-it", Instant.now()));
              });
    }

    AvroSerde<DeadLetter> deadLetterSerde = TopicSerdes.valueSerde(Topics.DEAD_LETTERS, registry);
    try (KafkaProducer<String, DeadLetter> producer = producer(deadLetterSerde.serializer())) {
      for (DeadLetter letter : letters) {
        producer.send(DeadLetters.toProducerRecord(letter)).get();
      }
    }
    List<DeadLetter> stored =
        readAll(Topics.DEAD_LETTERS.name(), "read_committed").stream()
            .filter(r -> topic.name().equals(r.key()))
            .map(r -> deadLetterSerde.deserializer().decode(r))
            .toList();
    assertThat(stored)
        .hasSize(6)
        .allSatisfy(l -> assertThat(l.getErrorType()).isEqualTo("UNDECODABLE"));
    assertThat(stored).extracting(DeadLetter::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(stored.get(2).getValue()).isEqualTo(java.nio.ByteBuffer.wrap(wrongMagic));
  }

  private static Prompt prompt(String id) {
    return Prompt.newBuilder(SampleRecords.prompt()).setPromptId(id).build();
  }
}
