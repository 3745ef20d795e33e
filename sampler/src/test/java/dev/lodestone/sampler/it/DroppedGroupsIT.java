package dev.lodestone.sampler.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lodestone.sampler.internal.DroppedGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.stack.testing.TestBroker;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The sampler's count of dropped sample groups against a real broker: a flood of dead letters of
 * every component is read by the gauge's own thread while the caller only looks at the count, as a
 * paused sampler does, and only the label join's letters of {@code samples} from the model's base
 * are counted.
 */
@Tag("integration")
class DroppedGroupsIT {
  private static TestBroker cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestBroker.start();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shouldCountTheLabelJoinsDroppedSamplesFromTheBaseWithoutTheCallerPolling() throws Exception {
    // Before the model's base: 100 dropped samples of an older model, not counted.
    send(100, "label-join", Topics.SAMPLES.name());
    long base = cluster.endOffsetSum(Topics.DEAD_LETTERS);
    assertThat(base).isEqualTo(100);
    // After it, interleaved: 6,000 of the label join's letters of samples, and 3,000 letters it
    // must not count (the judge's letters of samples, the label join's letters of labels).
    for (int round = 0; round < 30; round++) {
      send(200, "label-join", Topics.SAMPLES.name());
      send(50, "judge", Topics.SAMPLES.name());
      send(50, "label-join", Topics.LABELS.name());
    }
    cluster.sendRaw(Topics.DEAD_LETTERS.name(), 0, "garbage", new byte[] {1, 2, 3});

    Properties p = cluster.config().clientProperties("it-dropped-groups");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (DroppedGroups dropped =
        new DroppedGroups(
            "it",
            new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            TopicSerdes.valueDeserializer(Topics.DEAD_LETTERS, cluster.registry()),
            List.of(new TopicPartition(Topics.DEAD_LETTERS.name(), 0)))) {
      TestBroker.await("6,000 dropped groups counted", () -> dropped.count(base) == 6_000);
      TestBroker.await("the garbage letter seen", () -> dropped.unreadable() == 1);
      assertThat(dropped.count(base)).isEqualTo(6_000);

      // Another model's version 0 moves the base: the count starts again from there.
      long newBase = cluster.endOffsetSum(Topics.DEAD_LETTERS);
      assertThat(dropped.count(newBase)).isZero();
      send(7, "label-join", Topics.SAMPLES.name());
      TestBroker.await("7 dropped groups from the new base", () -> dropped.count(newBase) == 7);
    }
  }

  private static void send(int n, String component, String sourceTopic) throws Exception {
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
                .setValue(ByteBuffer.wrap(new byte[] {9, 9, 9}))
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
