package dev.lodestone.service.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PolicyFollowerTest {
  private static final TopicPartition TP = new TopicPartition(Topics.POLICY.name(), 0);

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerializer<PolicyVersion> serializer =
      TopicSerdes.valueSerializer(Topics.POLICY, registry, SchemaRegistration.AUTO_REGISTER);
  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private long nextOffset;

  PolicyFollowerTest() {
    consumer.updatePartitions(
        TP.topic(), List.of(new PartitionInfo(TP.topic(), 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(TP, 0L));
    consumer.assign(List.of(TP)); // records can be added before the follower assigns it again
  }

  private PolicyFeed feed() {
    return new PolicyFeed(consumer, registry, l -> {}, "m", "test", false, Clock.systemUTC(), null);
  }

  private void publish(ModelRole role, long version) {
    List<PolicyVersion> chunks =
        Chunker.policyVersionChunks(
            PolicyVersion.newBuilder()
                .setModelId("m")
                .setRole(role)
                .setVersion(version)
                .setMagnetVersion(0)
                .setStep(version)
                .setAlgorithm("mpo")
                .setConsumedOffsets(List.of())
                .setTime(Instant.EPOCH),
            Chunker.split(new byte[] {(byte) version, 1, 2, 3, 4}, 2));
    for (PolicyVersion c : chunks) {
      consumer.addRecord(
          new ConsumerRecord<>(
              TP.topic(),
              0,
              nextOffset++,
              "m/" + role + "/" + c.getChunkIndex(),
              serializer.encode(c)));
    }
    consumer.updateEndOffsets(Map.of(TP, nextOffset));
  }

  @Test
  void shouldCallTheListenerWithTheMagnetBeforeThePolicyOfTheSamePoll() throws Exception {
    List<String> calls = new CopyOnWriteArrayList<>();
    CountDownLatch firstPolicy = new CountDownLatch(1);
    CountDownLatch twoPolicies = new CountDownLatch(2);
    PolicyFeedListener listener =
        new PolicyFeedListener() {
          @Override
          public void onPolicy(PolicySnapshot snapshot) {
            calls.add("policy " + snapshot.version());
            firstPolicy.countDown();
            twoPolicies.countDown();
          }

          @Override
          public void onMagnet(PolicyHeader magnet) {
            calls.add("magnet " + magnet.version());
          }
        };
    // Everything is in the log before the follower starts: it reads it in one go.
    publish(ModelRole.POLICY, 0);
    publish(ModelRole.MAGNET, 0);
    publish(ModelRole.POLICY, 1);
    PolicyFollower follower = new PolicyFollower("follower-test", this::feed, listener);
    follower.start(Duration.ofSeconds(10));
    assertThat(follower.state()).isEqualTo(ServiceState.RUNNING);
    assertThat(firstPolicy.await(10, TimeUnit.SECONDS)).isTrue();
    // A later version arrives while it runs.
    publish(ModelRole.POLICY, 2);
    assertThat(twoPolicies.await(10, TimeUnit.SECONDS)).as(calls.toString()).isTrue();
    follower.close();
    follower.close(); // idempotent

    assertThat(follower.state()).isEqualTo(ServiceState.STOPPED);
    assertThat(calls).containsExactly("magnet 0", "policy 1", "policy 2");
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void shouldFailWhenTheListenerThrows() {
    PolicyFollower follower =
        new PolicyFollower(
            "follower-test",
            this::feed,
            s -> {
              throw new IllegalStateException("cannot load version " + s.version());
            });
    follower.start(Duration.ofSeconds(10));
    publish(ModelRole.POLICY, 0); // after start: the failure comes while running
    ServiceState reached = follower.awaitTermination(Duration.ofSeconds(10));
    assertThat(reached).isEqualTo(ServiceState.FAILED);
    assertThat(follower.failure()).get().asString().contains("cannot load version 0");
    follower.close();
    assertThat(follower.state()).isEqualTo(ServiceState.FAILED);
  }

  @Test
  void shouldFailToStartWithoutThePolicyTopic() {
    MockConsumer<String, byte[]> empty = new MockConsumer<>("earliest");
    PolicyFollower follower =
        new PolicyFollower(
            "follower-test",
            () ->
                new PolicyFeed(
                    empty, registry, l -> {}, "m", "test", false, Clock.systemUTC(), null),
            s -> {});
    assertThatThrownBy(() -> follower.start(Duration.ofSeconds(10)))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("topic policy does not exist");
    assertThat(follower.state()).isEqualTo(ServiceState.FAILED);
  }
}
