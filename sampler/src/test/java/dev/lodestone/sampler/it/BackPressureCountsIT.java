package dev.lodestone.sampler.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.sampler.internal.DroppedGroups;
import dev.lodestone.sampler.internal.ModelGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.schemas.testing.SampleRecords;
import dev.lodestone.stack.testing.TestBroker;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sampler's counts for back-pressure against a real broker, read by their own threads while the
 * caller only looks at the numbers, as a paused sampler does: the groups of one model in {@code
 * samples} ({@link ModelGroups}) and the label join's dead letters of its groups ({@link
 * DroppedGroups}), each from the model's base, with other models' records and garbage beside them.
 */
@Tag("integration")
class BackPressureCountsIT {
  private static final String MODEL = "it-model";
  private static final String OTHER = "it-other-model";

  private static TestBroker cluster;
  private static AvroSerializer<SampleGroup> samples;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestBroker.start();
    samples =
        TopicSerdes.valueSerializer(
            Topics.SAMPLES, cluster.registry(), SchemaRegistration.AUTO_REGISTER);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shouldCountTheLabelJoinsDroppedGroupsOfTheModelFromTheBase() throws Exception {
    // Before the model's base: 100 dropped groups of this model (an older incarnation's).
    send(100, "label-join", Topics.SAMPLES.name(), group(MODEL, "old-1"));
    long base = cluster.endOffsetSum(Topics.DEAD_LETTERS);
    assertThat(base).isEqualTo(100);
    // After it, interleaved: 6,000 of the label join's letters of this model's groups, 1,500 of
    // another model's, 1,500 of garbage, and 3,000 it must never count (the judge's letters of
    // samples, the label join's letters of labels).
    for (int round = 0; round < 30; round++) {
      send(200, "label-join", Topics.SAMPLES.name(), group(MODEL, "s-" + round));
      send(50, "label-join", Topics.SAMPLES.name(), group(OTHER, "t-" + round));
      send(50, "label-join", Topics.SAMPLES.name(), new byte[] {9, 9, 9});
      send(50, "judge", Topics.SAMPLES.name(), group(MODEL, "u-" + round));
      send(50, "label-join", Topics.LABELS.name(), new byte[] {1});
    }
    cluster.sendRaw(Topics.DEAD_LETTERS.name(), 0, "garbage", new byte[] {1, 2, 3});

    try (DroppedGroups dropped =
        new DroppedGroups(
            "it",
            consumer(),
            TopicSerdes.valueDeserializer(Topics.DEAD_LETTERS, cluster.registry()),
            TopicSerdes.valueDeserializer(Topics.SAMPLES, cluster.registry()),
            MODEL,
            List.of(new TopicPartition(Topics.DEAD_LETTERS.name(), 0)))) {
      TestBroker.await("6,000 dropped groups counted", () -> dropped.count(base, true) == 6_000);
      // Every sample record the label join dropped, for a sampler that counts every record.
      TestBroker.await("9,000 dropped records counted", () -> dropped.count(base, false) == 9_000);
      TestBroker.await("the garbage letter seen", () -> dropped.unreadable() == 1);
      assertThat(dropped.count(base, true)).isEqualTo(6_000);

      // Another incarnation's version 0 moves the base: the count starts again from there.
      long newBase = cluster.endOffsetSum(Topics.DEAD_LETTERS);
      assertThat(dropped.count(newBase, true)).isZero();
      send(7, "label-join", Topics.SAMPLES.name(), group(MODEL, "v"));
      TestBroker.await(
          "7 dropped groups from the new base", () -> dropped.count(newBase, true) == 7);
    }
  }

  @Test
  void shouldCountTheModelsGroupsFromItsBaseAndThisSamplersOwnAtOnce() throws Exception {
    List<TopicPartition> partitions = new ArrayList<>();
    List<Long> base = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = consumer()) {
      for (var info : c.partitionsFor(Topics.SAMPLES.name())) {
        partitions.add(new TopicPartition(Topics.SAMPLES.name(), info.partition()));
      }
      partitions.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
      // 40 groups of this model before its base: an older incarnation's, not counted.
      sendSamples(MODEL, "old", 0, 40);
      c.endOffsets(partitions).entrySet().stream()
          .sorted(
              java.util.Map.Entry.comparingByKey(
                  java.util.Comparator.comparingInt(TopicPartition::partition)))
          .forEach(e -> base.add(e.getValue()));
    }
    // After the base: 300 groups of this model by another sampler, 500 of another model, garbage,
    // and 20 of this sampler's own from before its start (sequence below 1000).
    sendSamples(MODEL, "other-sampler", 0, 300);
    sendSamples(OTHER, "b", 0, 500);
    for (int p = 0; p < partitions.size(); p++) {
      cluster.sendRaw(Topics.SAMPLES.name(), p, "garbage-" + p, new byte[] {9, 9, 9});
    }
    sendSamples(MODEL, "me", 980, 20);

    try (ModelGroups groups =
        new ModelGroups(
            "it",
            consumer(),
            TopicSerdes.valueDeserializer(Topics.SAMPLES, cluster.registry()),
            MODEL,
            "me",
            1000,
            partitions)) {
      assertThat(groups.covers(base)).isTrue();
      assertThat(groups.covers(List.of(0L))).isFalse();
      // Before the thread has read them, this sampler's own 5 published groups count already.
      assertThat(groups.produced(base, 5)).isBetween(5L, 325L);
      TestBroker.await("320 of the model's groups read", () -> groups.produced(base, 0) == 320);
      // This sampler publishes 5 (sequence 1000-1004): counted at once, and once only when read.
      assertThat(groups.produced(base, 5)).isEqualTo(325);
      sendSamples(MODEL, "me", 1000, 5);
      TestBroker.await("its own 5 read", () -> groups.produced(base, 0) == 325);
      assertThat(groups.produced(base, 5)).isEqualTo(325);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = cluster.config().clientProperties("it-counts");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static byte[] group(String model, String groupId) {
    SampleGroup g = SampleRecords.sampleGroup();
    g.setModelId(model);
    g.setGroupId(groupId);
    return samples.encode(g);
  }

  private static void sendSamples(String model, String samplerId, long from, int n) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            cluster.config().clientProperties("it-samples"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (long seq = from; seq < from + n; seq++) {
        String id = samplerId + "-" + seq;
        producer.send(new ProducerRecord<>(Topics.SAMPLES.name(), id, group(model, id)));
      }
      producer.flush();
    }
  }

  private static void send(int n, String component, String sourceTopic, byte[] value) {
    try (KafkaProducer<String, DeadLetter> producer =
        new KafkaProducer<>(
            cluster.config().clientProperties("it-dead-letters"),
            new StringSerializer(),
            TopicSerdes.valueSerializer(
                Topics.DEAD_LETTERS, cluster.registry(), SchemaRegistration.AUTO_REGISTER))) {
      for (int i = 0; i < n; i++) {
        DeadLetter letter =
            DeadLetter.newBuilder()
                .setSourceTopic(sourceTopic)
                .setPartition(0)
                .setOffset(i)
                .setValue(ByteBuffer.wrap(value))
                .setReason("test letter " + i)
                .setErrorType("UNDECODABLE")
                .setComponent(component)
                .setTime(Instant.now())
                .build();
        producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), sourceTopic, letter));
      }
      producer.flush();
    }
  }
}
