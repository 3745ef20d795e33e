package dev.lodestone.service.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.chunk.Sha256;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.registry.SchemaRegistryException;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyFeedTest {
  private static final String MODEL = "m";
  private static final TopicPartition TP = new TopicPartition(Topics.POLICY.name(), 0);
  private static final Instant TIME = Instant.ofEpochMilli(1_790_000_000_000L);

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerializer<PolicyVersion> serializer =
      TopicSerdes.valueSerializer(Topics.POLICY, registry, SchemaRegistration.AUTO_REGISTER);
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private MockConsumer<String, byte[]> consumer;
  private long nextOffset;

  @BeforeEach
  void setUp() {
    consumer = new MockConsumer<>("earliest");
    consumer.updatePartitions(
        Topics.POLICY.name(),
        List.of(new PartitionInfo(Topics.POLICY.name(), 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(TP, 0L));
  }

  private PolicyFeed feed(boolean keepFirst) {
    return feed(keepFirst, registry);
  }

  private PolicyFeed feed(boolean keepFirst, SchemaRegistryClient reader) {
    PolicyFeed feed =
        new PolicyFeed(
            consumer,
            reader,
            deadLetters::add,
            MODEL,
            "test",
            keepFirst,
            Clock.fixed(TIME, ZoneOffset.UTC),
            null);
    feed.assign(Duration.ofSeconds(1));
    return feed;
  }

  private static byte[] weights(long version, int size) {
    byte[] b = new byte[size];
    new Random(version * 31 + size).nextBytes(b);
    return b;
  }

  private static List<PolicyVersion> chunks(
      String model, ModelRole role, long version, byte[] weights, int chunkBytes) {
    return Chunker.policyVersionChunks(
        PolicyVersion.newBuilder()
            .setModelId(model)
            .setRole(role)
            .setVersion(version)
            .setMagnetVersion(version / 2)
            .setStep(version * 10)
            .setAlgorithm("mpo")
            .setConsumedOffsets(List.of())
            .setConsumedGroups(version * 8)
            .setGroupsPerVersion(8)
            .setTime(TIME),
        Chunker.split(weights, chunkBytes));
  }

  private void append(PolicyVersion chunk) {
    append(
        chunk.getModelId() + "/" + chunk.getRole() + "/" + chunk.getChunkIndex(),
        serializer.encode(chunk));
  }

  private void append(String key, byte[] value) {
    consumer.addRecord(new ConsumerRecord<>(TP.topic(), 0, nextOffset++, key, value));
    consumer.updateEndOffsets(Map.of(TP, nextOffset));
  }

  private void appendAll(List<PolicyVersion> chunks) {
    chunks.forEach(this::append);
  }

  @Test
  void shouldAssembleAChunkedVersionAndExposeItsHeaderAndBytes() {
    byte[] w = weights(0, 10_000);
    try (PolicyFeed feed = feed(false)) {
      assertThat(feed.poll(Duration.ZERO)).isEmpty();
      appendAll(chunks(MODEL, ModelRole.POLICY, 0, w, 3_000));

      PolicySnapshot s = feed.poll(Duration.ZERO).orElseThrow();
      assertThat(s.weights()).isEqualTo(w);
      PolicyHeader h = s.header();
      assertThat(h.version()).isZero();
      assertThat(h.role()).isEqualTo(ModelRole.POLICY);
      assertThat(h.sha256()).isEqualTo(Sha256.hex(w));
      assertThat(h.consumedGroups()).isZero();
      assertThat(h.groupsPerVersion()).isEqualTo(8);
      assertThat(h.lastOffset()).isEqualTo(3); // four chunks at offsets 0..3
      // Delivered once only.
      assertThat(feed.poll(Duration.ZERO)).isEmpty();
      assertThat(feed.latestPolicy()).containsSame(s);
      assertThat(feed.stats().policyVersionsDelivered()).isEqualTo(1);
    }
  }

  @Test
  void shouldSkipToTheNewestWhenSeveralVersionsAreWaiting() {
    try (PolicyFeed feed = feed(true)) {
      for (long v = 0; v < 4; v++) {
        appendAll(chunks(MODEL, ModelRole.POLICY, v, weights(v, 5_000), 2_000));
      }
      appendAll(chunks(MODEL, ModelRole.MAGNET, 1, weights(100, 5_000), 2_000));

      PolicySnapshot s = feed.poll(Duration.ZERO).orElseThrow();
      assertThat(s.version()).isEqualTo(3);
      assertThat(s.weights()).isEqualTo(weights(3, 5_000));
      assertThat(feed.latestMagnetVersion()).hasValue(1);
      assertThat(feed.firstPolicy().orElseThrow().version()).isZero();
      assertThat(feed.firstPolicy().orElseThrow().weights()).isEqualTo(weights(0, 5_000));
      FeedStats stats = feed.stats();
      assertThat(stats.policyVersionsAssembled()).isEqualTo(4);
      assertThat(stats.policyVersionsSkipped()).isEqualTo(3);
      assertThat(stats.magnetVersionsAssembled()).isEqualTo(1);

      appendAll(chunks(MODEL, ModelRole.POLICY, 4, weights(4, 5_000), 2_000));
      assertThat(feed.poll(Duration.ZERO).orElseThrow().version()).isEqualTo(4);
    }
  }

  @Test
  void shouldNotKeepTheFirstVersionUnlessAsked() {
    try (PolicyFeed feed = feed(false)) {
      appendAll(chunks(MODEL, ModelRole.POLICY, 0, weights(0, 100), 64));
      assertThat(feed.poll(Duration.ZERO)).isPresent();
      assertThat(feed.firstPolicy()).isEmpty();
    }
  }

  @Test
  void shouldDeadLetterAChunkWithAWrongHashAndDropItsVersionWhole() {
    try (PolicyFeed feed = feed(false)) {
      appendAll(chunks(MODEL, ModelRole.POLICY, 0, weights(0, 4_000), 1_000));
      assertThat(feed.poll(Duration.ZERO).orElseThrow().version()).isZero();

      // Version 1: chunk 2 carries other bytes of the same length, so the blob's hash is wrong.
      List<PolicyVersion> bad =
          new ArrayList<>(chunks(MODEL, ModelRole.POLICY, 1, weights(1, 4_000), 1_000));
      PolicyVersion corrupt =
          PolicyVersion.newBuilder(bad.get(2))
              .setWeights(ByteBuffer.wrap(weights(99, 1_000)))
              .build();
      bad.set(2, corrupt);
      appendAll(bad);

      assertThat(feed.poll(Duration.ZERO)).isEmpty();
      assertThat(feed.latestPolicy().orElseThrow().version()).isZero();
      assertThat(deadLetters).hasSize(1);
      DeadLetter letter = deadLetters.get(0);
      assertThat(letter.getErrorType()).isEqualTo("INVALID_RECORD");
      assertThat(letter.getReason()).contains("SHA256_MISMATCH").contains("version 1 dropped");
      assertThat(letter.getOffset()).isEqualTo(7); // the last chunk of version 1 completed it
      assertThat(letter.getComponent()).isEqualTo("test");
      assertThat(feed.stats().versionsRejected()).isEqualTo(1);

      // The next good version is delivered.
      appendAll(chunks(MODEL, ModelRole.POLICY, 2, weights(2, 4_000), 1_000));
      assertThat(feed.poll(Duration.ZERO).orElseThrow().weights()).isEqualTo(weights(2, 4_000));
    }
  }

  @Test
  void shouldDeadLetterAnInconsistentChunkAndIgnoreTheRestOfItsVersion() {
    try (PolicyFeed feed = feed(false)) {
      List<PolicyVersion> v0 = chunks(MODEL, ModelRole.POLICY, 0, weights(0, 3_000), 1_000);
      append(v0.get(0));
      // Chunk 1 claims another step: metadata disagrees with chunk 0.
      append(PolicyVersion.newBuilder(v0.get(1)).setStep(12345).build());
      append(v0.get(2));

      assertThat(feed.poll(Duration.ZERO)).isEmpty();
      assertThat(deadLetters)
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.getReason()).contains("INCONSISTENT_CHUNK");
                assertThat(l.getOffset()).isEqualTo(1);
              });
      assertThat(feed.stats().staleChunks()).isEqualTo(1); // chunk 2 of the dropped version
      assertThat(feed.latestPolicy()).isEmpty();
    }
  }

  @Test
  void shouldDeadLetterAnUndecodableChunkAndDropTheVersionInProgress() {
    try (PolicyFeed feed = feed(false)) {
      List<PolicyVersion> v0 = chunks(MODEL, ModelRole.POLICY, 0, weights(0, 3_000), 1_000);
      append(v0.get(0));
      append(MODEL + "/POLICY/1", new byte[] {0, 0, 0, 0, 1, 7, 7}); // garbage after a header
      append(v0.get(1)); // a repeat of index 1 cannot revive the version
      append(v0.get(2));

      assertThat(feed.poll(Duration.ZERO)).isEmpty();
      assertThat(deadLetters)
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.getErrorType()).isEqualTo("UNDECODABLE");
                assertThat(l.getOffset()).isEqualTo(1);
                assertThat(l.getValue())
                    .isEqualTo(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 7, 7}));
              });
      assertThat(feed.latestPolicy()).isEmpty();
      assertThat(feed.stats().versionsRejected()).isEqualTo(1);
    }
  }

  @Test
  void shouldIgnoreOtherModelsWithoutDeadLetters() {
    try (PolicyFeed feed = feed(false)) {
      appendAll(chunks("other", ModelRole.POLICY, 5, weights(5, 2_000), 1_000));
      append("other/POLICY/9", new byte[] {1, 2, 3}); // another model's garbage is not ours
      appendAll(chunks(MODEL, ModelRole.POLICY, 0, weights(0, 2_000), 1_000));

      assertThat(feed.poll(Duration.ZERO).orElseThrow().version()).isZero();
      assertThat(deadLetters).isEmpty();
      assertThat(feed.stats().otherModelRecords()).isEqualTo(3);
    }
  }

  @Test
  void shouldDropAnIncompleteVersionSupersededByANewerOneAndIgnoreOlderLeftovers() {
    try (PolicyFeed feed = feed(false)) {
      // What compaction can leave: a lone chunk of version 0 before the whole of version 1.
      List<PolicyVersion> v0 = chunks(MODEL, ModelRole.POLICY, 0, weights(0, 3_000), 1_000);
      append(v0.get(2));
      appendAll(chunks(MODEL, ModelRole.POLICY, 1, weights(1, 2_000), 1_000));
      append(v0.get(0)); // an older leftover after a newer complete version

      assertThat(feed.poll(Duration.ZERO).orElseThrow().version()).isEqualTo(1);
      assertThat(feed.stats().incompleteVersionsDropped()).isEqualTo(1);
      assertThat(feed.stats().staleChunks()).isEqualTo(1);
      assertThat(deadLetters).isEmpty();
    }
  }

  @Test
  void shouldReadTheRestOfThePartitionAgainWhenTheRegistryIsUnavailable() {
    AtomicInteger failuresLeft = new AtomicInteger(1);
    SchemaRegistryClient flaky =
        (SchemaRegistryClient)
            Proxy.newProxyInstance(
                SchemaRegistryClient.class.getClassLoader(),
                new Class<?>[] {SchemaRegistryClient.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("schemaById") && failuresLeft.getAndDecrement() > 0) {
                    throw new SchemaRegistryException(
                        SchemaRegistryException.NO_RESPONSE,
                        SchemaRegistryException.NO_RESPONSE,
                        "connection refused");
                  }
                  try {
                    return method.invoke(registry, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    byte[] w = weights(0, 3_000);
    try (PolicyFeed feed = feed(false, flaky)) {
      appendAll(chunks(MODEL, ModelRole.POLICY, 0, w, 1_000));
      assertThat(feed.poll(Duration.ZERO)).isEmpty(); // the first chunk met the outage
      // MockConsumer hands out records once: add them again from the offset it was sent back to.
      assertThat(consumer.position(TP)).isZero();
      nextOffset = 0;
      appendAll(chunks(MODEL, ModelRole.POLICY, 0, w, 1_000));
      assertThat(feed.poll(Duration.ZERO).orElseThrow().weights()).isEqualTo(w);
      assertThat(deadLetters).isEmpty();
    }
  }

  @Test
  void shouldRefuseAMissingTopic() {
    MockConsumer<String, byte[]> empty = new MockConsumer<>("earliest");
    PolicyFeed feed =
        new PolicyFeed(
            empty, registry, deadLetters::add, MODEL, "test", false, Clock.systemUTC(), null);
    assertThatThrownBy(() -> feed.poll(Duration.ZERO))
        .isInstanceOf(PolicyFeedException.class)
        .hasMessageContaining("topic policy does not exist");
    feed.close();
    assertThatThrownBy(() -> feed.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void snapshotsRefuseABlobOfAnotherSize() {
    PolicyHeader header =
        new PolicyHeader(
            MODEL,
            ModelRole.POLICY,
            0,
            0,
            0,
            "mpo",
            0,
            0,
            0,
            0,
            List.of(),
            Sha256.hex(new byte[3]),
            3,
            TIME,
            0,
            0);
    assertThatThrownBy(() -> new PolicySnapshot(header, new byte[2]))
        .hasMessageContaining("the blob has 2 bytes, the header says 3");
    assertThat(Arrays.equals(new PolicySnapshot(header, new byte[3]).weights(), new byte[3]))
        .isTrue();
  }
}
