package dev.lodestone.judge.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.judge.GameOracle;
import dev.lodestone.judge.JudgeContractException;
import dev.lodestone.judge.TextPreferenceJudge;
import dev.lodestone.judge.streams.JudgeConfig;
import dev.lodestone.judge.streams.JudgeService;
import dev.lodestone.judge.streams.LabelJoinConfig;
import dev.lodestone.judge.streams.LabelJoinService;
import dev.lodestone.judge.streams.StreamsAppConfig;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.RestSchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import dev.lodestone.stack.registry.EmbeddedSchemaRegistry;
import dev.lodestone.stack.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The judge and the label join on a real single-node broker with exactly-once: two judge instances
 * sharing one application id and one label join turn sample groups into labelled groups, each
 * exactly once, while bad records end in dead-letters and good groups keep flowing. The judge is
 * the game oracle of perturbed rock-paper-scissors.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JudgePipelineIT {
  private static final Logger LOG = LoggerFactory.getLogger(JudgePipelineIT.class);
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final int GROUPS = 200;
  private static final String JUDGE_ID = "oracle:" + TestGroups.TASK;

  private static TestBroker broker;
  private static EmbeddedSchemaRegistry registryServer;
  private static RestSchemaRegistryClient registry;
  private static ClusterConfig clusterConfig;

  @TempDir static Path stateRoot;

  @BeforeAll
  static void startClusterAndRegistry() throws Exception {
    broker = TestBroker.start();
    registryServer = broker.registryServer();
    registry = broker.registry();
    clusterConfig = broker.config();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  private static StreamsAppConfig app(String applicationId, String instanceId) {
    return StreamsAppConfig.defaults(applicationId, instanceId, stateRoot.resolve(instanceId))
        .withReplicationFactor(1)
        .withMetricsInterval(Duration.ofSeconds(1));
  }

  @Test
  @Order(1)
  void shouldLabelEveryGroupExactlyOnceWithTwoJudgesAndDeadLetterBadRecords() throws Exception {
    LabelJoinConfig joinConfig =
        LabelJoinConfig.of(app("it-label-join", "join-a"))
            .withTimeouts(Duration.ofSeconds(3), Duration.ofMinutes(5));
    // The game oracle of perturbed RPS; expected preferences come from TestGroups' own matrix.
    TextPreferenceJudge judge = GameOracle.forTask(TestGroups.TASK);
    Map<String, SampleGroup> sent = new LinkedHashMap<>();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    LabeledFollower follower = new LabeledFollower();

    try (LabelJoinService join = new LabelJoinService(joinConfig, clusterConfig, registry);
        JudgeService judgeA =
            new JudgeService(
                JudgeConfig.of(app("it-judge", "judge-a")), clusterConfig, judge, registry);
        JudgeService judgeB =
            new JudgeService(
                JudgeConfig.of(app("it-judge", "judge-b")), clusterConfig, judge, registry);
        follower) {
      join.start(START_TIMEOUT);
      judgeA.start(START_TIMEOUT);
      judgeB.start(START_TIMEOUT);
      follower.start();

      Random random = new Random(20270101);
      List<String> texts = List.of("rock", "paper", "scissors", "banana");
      try (KafkaProducer<String, SampleGroup> samples =
              producer(TopicSerdes.valueSerde(Topics.SAMPLES, registry).serializer());
          KafkaProducer<String, PreferenceLabel> labels =
              producer(TopicSerdes.valueSerde(Topics.LABELS, registry).serializer());
          KafkaProducer<String, byte[]> raw = producer(new ByteArraySerializer())) {
        for (int n = 0; n < GROUPS; n++) {
          String id = String.format("it-group-%04d", n);
          String[] responses = new String[2 + random.nextInt(3)];
          for (int k = 0; k < responses.length; k++) {
            responses[k] = texts.get(random.nextInt(texts.size()));
          }
          SampleGroup group = TestGroups.group(id, responses);
          sent.put(id, group);
          sentAt.put(id, System.nanoTime());
          samples.send(new ProducerRecord<>(Topics.SAMPLES.name(), id, group));
          if (n == GROUPS / 4) {
            raw.send(
                new ProducerRecord<>(
                    Topics.SAMPLES.name(), "garbage-sample", new byte[] {9, 9, 9, 9, 9, 9}));
            raw.send(
                new ProducerRecord<>(
                    Topics.LABELS.name(), "garbage-label", new byte[] {0, 0, 0, 0, 42, 1}));
          }
          if (n == GROUPS / 2) {
            labels.send(labelRecord(TestGroups.label("it-group-0001", 0, 1, 1.7, "rogue")));
            labels.send(labelRecord(TestGroups.label("it-group-0002", 0, 1, Double.NaN, "rogue")));
            labels.send(labelRecord(TestGroups.label("no-such-group", 0, 1, 0.5, "rogue")));
          }
          if (n % 20 == 19) {
            samples.flush();
          }
          Thread.sleep(10);
        }
        samples.send(
            new ProducerRecord<>(
                Topics.SAMPLES.name(),
                "other-task",
                TestGroups.groupOfTask("other-task", "condorcet", "a", "b")));
      }

      follower.awaitKeys(sent.keySet(), DEADLINE);
      List<DeadLetter> letters =
          awaitRecords(
              Topics.DEAD_LETTERS,
              l ->
                  l.getComponent().equals("label-join") && l.getErrorType().equals("UNKNOWN_GROUP"),
              1);
      assertThat(letters).isNotEmpty();
      awaitCondition(
          () -> join.counters().pendingGroups() == 1, "the other task's group waits for labels");
      assertThat(judgeA.state()).isEqualTo(ServiceState.RUNNING);
      assertThat(judgeB.state()).isEqualTo(ServiceState.RUNNING);
      assertThat(join.state()).isEqualTo(ServiceState.RUNNING);
      // Both instances did part of the work: the partitions were split between them.
      assertThat(judgeA.counters().groupsJudged()).isPositive();
      assertThat(judgeB.counters().groupsJudged()).isPositive();
    }

    // Latency (informational): from just before the send to the record's arrival on labeled.
    List<Long> latencies = new ArrayList<>();
    follower.arrivals.forEach((id, at) -> latencies.add((at - sentAt.get(id)) / 1_000_000));
    latencies.sort(Long::compare);
    String latency =
        String.format(
            "end-to-end latency samples -> labeled over %d groups: p50 %d ms, p95 %d ms, max %d ms",
            latencies.size(),
            latencies.get(latencies.size() / 2),
            latencies.get(latencies.size() * 95 / 100),
            latencies.get(latencies.size() - 1));
    LOG.info(latency);
    System.out.println(latency);

    // Exactly once: every group once on labeled (read_committed), with the right preferences.
    AvroDeserializer<LabeledGroup> labeledValues =
        TopicSerdes.valueDeserializer(Topics.LABELED, registry);
    List<ConsumerRecord<String, byte[]>> all = readAll(Topics.LABELED.name());
    assertThat(all).hasSize(GROUPS);
    Map<String, LabeledGroup> byId = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : all) {
      LabeledGroup value = labeledValues.decode(record);
      assertThat(record.key()).isEqualTo(value.getGroup().getGroupId());
      assertThat(byId.put(record.key(), value)).as("a second copy of %s", record.key()).isNull();
    }
    assertThat(byId.keySet()).isEqualTo(sent.keySet());
    for (Map.Entry<String, SampleGroup> e : sent.entrySet()) {
      LabeledGroup labeled = byId.get(e.getKey());
      assertThat(labeled.getGroup()).isEqualTo(e.getValue());
      assertThat(labeled.getJudgeIds()).containsExactly(JUDGE_ID);
      assertThat(labeled.getPreferences()).isEqualTo(expectedPreferences(e.getValue()));
    }

    // Bad records: each in dead-letters with its reason, from the component that saw it.
    Map<String, List<DeadLetter>> letters =
        records(readAll(Topics.DEAD_LETTERS.name()), Topics.DEAD_LETTERS).stream()
            .collect(
                Collectors.groupingBy(
                    l -> l.getComponent() + " " + l.getSourceTopic() + " " + l.getErrorType()));
    assertThat(letters.keySet())
        .containsExactlyInAnyOrder(
            "judge samples UNDECODABLE",
            "label-join samples UNDECODABLE",
            "label-join labels UNDECODABLE",
            "label-join labels INVALID_PROBABILITY",
            "label-join labels UNKNOWN_GROUP");
    assertThat(letters.get("judge samples UNDECODABLE"))
        .singleElement()
        .satisfies(l -> assertThat(l.getReason()).contains("BAD_MAGIC_BYTE"));
    assertThat(letters.get("label-join labels UNDECODABLE"))
        .singleElement()
        .satisfies(l -> assertThat(l.getReason()).contains("UNKNOWN_SCHEMA_ID"));
    assertThat(letters.get("label-join labels INVALID_PROBABILITY"))
        .extracting(DeadLetter::getReason)
        .satisfiesExactlyInAnyOrder(
            r -> assertThat(r).contains("group it-group-0001").contains("probability 1.7"),
            r -> assertThat(r).contains("group it-group-0002").contains("probability NaN"));
    assertThat(letters.get("label-join labels UNKNOWN_GROUP"))
        .singleElement()
        .satisfies(l -> assertThat(l.getReason()).contains("no sample group no-such-group"));

    // Metrics: the last event of every instance (published on close) holds its counts.
    Map<String, MetricEvent> lastEvents = new HashMap<>();
    for (MetricEvent event : records(readAll(Topics.METRICS.name()), Topics.METRICS)) {
      lastEvents.put(event.getComponent() + "/" + event.getInstanceId(), event);
    }
    assertThat(lastEvents).containsKeys("judge/judge-a", "judge/judge-b", "label-join/join-a");
    double judged =
        lastEvents.get("judge/judge-a").getValues().get("judge/groupsJudged")
            + lastEvents.get("judge/judge-b").getValues().get("judge/groupsJudged");
    // Counts are of processing attempts: at least every group, more only after aborts.
    assertThat(judged).isGreaterThanOrEqualTo(GROUPS);
    Map<String, Double> joinValues = lastEvents.get("label-join/join-a").getValues();
    assertThat(joinValues.get("label-join/groupsEmitted")).isGreaterThanOrEqualTo(GROUPS);
    assertThat(joinValues.get("label-join/deadLetters/INVALID_PROBABILITY")).isEqualTo(2.0);
    assertThat(joinValues.get("label-join/deadLetters/UNKNOWN_GROUP")).isEqualTo(1.0);
  }

  @Test
  @Order(2)
  void shouldFailAJudgeThatReturnsAnInvalidProbabilityAndPublishNothingOfIt() throws Exception {
    try (KafkaProducer<String, SampleGroup> samples =
        producer(TopicSerdes.valueSerde(Topics.SAMPLES, registry).serializer())) {
      SampleGroup group = TestGroups.groupOfTask("broken-1", "broken-task", "x", "y");
      samples.send(new ProducerRecord<>(Topics.SAMPLES.name(), "broken-1", group)).get();
    }
    TextPreferenceJudge broken =
        new TextPreferenceJudge("broken", JudgeKind.OTHER, "broken-task", (a, b) -> 1.5);
    try (JudgeService service =
        new JudgeService(
            JudgeConfig.of(app("it-broken-judge", "broken-a")), clusterConfig, broken, registry)) {
      try {
        service.start(START_TIMEOUT);
      } catch (ServiceException e) {
        // It may fail before its first assignment completes; the state says so below.
      }
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (service.state() != ServiceState.FAILED && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(service.state()).isEqualTo(ServiceState.FAILED);
      assertThat(service.failure())
          .get()
          .satisfies(
              t -> {
                Throwable cause = t;
                while (cause != null && !(cause instanceof JudgeContractException)) {
                  cause = cause.getCause();
                }
                assertThat(cause)
                    .as("cause chain of %s", t)
                    .isInstanceOf(JudgeContractException.class)
                    .hasMessageContaining("returned probability 1.5");
              });
    }
    AvroDeserializer<PreferenceLabel> labelValues =
        TopicSerdes.valueDeserializer(Topics.LABELS, registry);
    List<PreferenceLabel> published =
        readAll(Topics.LABELS.name()).stream()
            .filter(r -> !r.key().equals("garbage-label")) // injected by the first test
            .map(labelValues::decode)
            .toList();
    assertThat(published).isNotEmpty().noneMatch(l -> l.getJudgeId().equals("broken"));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static List<PairPreference> expectedPreferences(SampleGroup group) {
    List<PairPreference> prefs = new ArrayList<>();
    int g = group.getResponses().size();
    for (int i = 0; i < g; i++) {
      for (int j = i + 1; j < g; j++) {
        double p =
            TestGroups.rps(
                group.getResponses().get(i).getText(), group.getResponses().get(j).getText());
        prefs.add(
            PairPreference.newBuilder()
                .setI(i)
                .setJ(j)
                .setProbability(p)
                .setLabelCount(1)
                .setLabels(
                    List.of(
                        LabelProvenance.newBuilder()
                            .setJudgeId(JUDGE_ID)
                            .setJudgeKind(JudgeKind.GAME_ORACLE)
                            .setProbability(p)
                            .build()))
                .build());
      }
    }
    return prefs;
  }

  private static ProducerRecord<String, PreferenceLabel> labelRecord(PreferenceLabel label) {
    return new ProducerRecord<>(Topics.LABELS.name(), label.getGroupId(), label);
  }

  private static <V> KafkaProducer<String, V> producer(Serializer<V> values) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(props, new StringSerializer(), values);
  }

  private static KafkaConsumer<String, byte[]> consumer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Every committed record of a topic up to its last stable offset. */
  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("did not reach the end offsets " + end + " of " + topic);
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  private static <V extends org.apache.avro.specific.SpecificRecord> List<V> records(
      List<ConsumerRecord<String, byte[]>> raw, TopicSpec<V> topic) {
    AvroDeserializer<V> values = TopicSerdes.valueDeserializer(topic, registry);
    return raw.stream().map(values::decode).toList();
  }

  /** Reads a topic again until {@code count} records match, or fails after the deadline. */
  private static <V extends org.apache.avro.specific.SpecificRecord> List<V> awaitRecords(
      TopicSpec<V> topic, Predicate<V> match, int count) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      List<V> found = records(readAll(topic.name()), topic).stream().filter(match).toList();
      if (found.size() >= count) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "only " + found.size() + " of " + count + " expected records on " + topic.name());
      }
      Thread.sleep(200);
    }
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + DEADLINE + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Follows {@code labeled} (read_committed) and notes when each key first arrives. */
  private static final class LabeledFollower implements AutoCloseable {
    final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Thread thread = new Thread(this::run, "labeled-follower");
    private volatile boolean running = true;

    void start() {
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      Map<String, Object> props = new HashMap<>();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      // Return as soon as a transaction commits, so that the latency is the pipeline's own.
      props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
      try (KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition(Topics.LABELED.name(), 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        while (running) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
            arrivals.putIfAbsent(r.key(), System.nanoTime());
          }
        }
      }
    }

    void awaitKeys(java.util.Set<String> keys, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!arrivals.keySet().containsAll(keys)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              arrivals.size() + " of " + keys.size() + " groups arrived on labeled");
        }
        Thread.sleep(50);
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }
}
