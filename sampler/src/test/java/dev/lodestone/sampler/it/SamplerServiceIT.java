package dev.lodestone.sampler.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.PromptResponse;
import dev.lodestone.policy.SamplingParams;
import dev.lodestone.sampler.GroupIds;
import dev.lodestone.sampler.PromptSource;
import dev.lodestone.sampler.SamplerConfig;
import dev.lodestone.sampler.SamplerService;
import dev.lodestone.sampler.SamplerStats;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.schemas.testing.SampleRecords;
import dev.lodestone.service.ServiceState;
import dev.lodestone.stack.testing.TestBroker;
import dev.lodestone.stack.testing.TestPolicyPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Samplers against a real single-node broker and the embedded registry, with the test playing the
 * learner: it publishes chunked policy versions in transactions, with the back-pressure counts.
 */
@Tag("integration")
class SamplerServiceIT {
  /** A tiny model: d 32, 1 layer, context 32. */
  private static final ModelConfig TINY =
      new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 32, 64, true, 1e-5);

  private static final String PROMPT = "Choose your move.";
  private static final int MAX_NEW_TOKENS = 8;

  private static TestBroker cluster;
  private static TestPolicyPublisher learner;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestBroker.start();
    learner = new TestPolicyPublisher(cluster, "it-learner");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (learner != null) {
      learner.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] weights(long seed) {
    try (PolicyModel m = PolicyModel.create(TINY, Engines.device("cpu"), seed)) {
      return m.toBytes();
    }
  }

  private static SamplerConfig.Builder sampler(String model, String id, PromptSource prompts) {
    return SamplerConfig.builder(cluster.config(), model, "perturbed-rps", prompts)
        .samplerId(id)
        .groupSize(2)
        .groupsPerBatch(2)
        .maxStaleness(2)
        .sampling(SamplingParams.of(MAX_NEW_TOKENS))
        .metricsInterval(Duration.ofMillis(200))
        .offsetsRefresh(Duration.ZERO);
  }

  @Test
  void twoSamplersShouldPauseAtTheBoundHotSwapAndStampEveryGroupHonestly() throws Exception {
    String model = "it-hot-swap";
    byte[] v0 = weights(1);
    byte[] v1 = weights(2);
    int groupsPerVersion = 4;
    int maxStaleness = 2;
    int groupsPerBatch = 2;
    long bound = (long) maxStaleness * groupsPerVersion; // 8 groups in flight

    List<SamplerService> samplers = new ArrayList<>();
    for (String id : List.of("it-a", "it-b")) {
      samplers.add(new SamplerService(sampler(model, id, PromptSource.fixed(PROMPT)).build()));
    }
    try {
      // Running before any version exists: connected and waiting, idle.
      for (SamplerService s : samplers) {
        s.start(Duration.ofSeconds(60));
        assertThat(s.state()).isEqualTo(ServiceState.RUNNING);
        assertThat(s.policyVersion()).isEmpty();
      }
      learner.publish(
          model,
          new TestPolicyPublisher.Version(ModelRole.POLICY, 0, 0, 0, groupsPerVersion, v0),
          new TestPolicyPublisher.Version(ModelRole.MAGNET, 0, 0, 0, groupsPerVersion, v0));

      // Phase 1: version 0 until the in-flight bound holds them back.
      TestBroker.await(
          "both samplers pause on version 0",
          () -> samplers.stream().allMatch(s -> s.stats().paused()));
      long produced0 = cluster.endOffsetSum(Topics.SAMPLES);
      // Each sampler stops at the bound by its own count; the other's concurrent batch may pass it.
      assertThat(produced0).isBetween(bound, bound + groupsPerBatch);
      for (SamplerService s : samplers) {
        assertThat(s.stats().inFlightBound()).isEqualTo(bound);
        assertThat(s.stats().policyVersion()).isZero();
      }

      // Phase 2: the learner consumed 8 groups and publishes version 1 (with magnet 1).
      learner.publish(
          model,
          new TestPolicyPublisher.Version(ModelRole.POLICY, 1, 1, 8, groupsPerVersion, v1),
          new TestPolicyPublisher.Version(ModelRole.MAGNET, 1, 1, 8, groupsPerVersion, v1));
      TestBroker.await(
          "both samplers swap to version 1 and pause again",
          () ->
              samplers.stream()
                  .allMatch(
                      s ->
                          s.stats().policyVersion() == 1
                              && s.stats().paused()
                              && s.stats().inFlight() >= bound));
      long produced1 = cluster.endOffsetSum(Topics.SAMPLES);
      assertThat(produced1).isBetween(8 + bound, 8 + bound + groupsPerBatch);

      List<SampleGroup> groups =
          cluster.readAll(Topics.SAMPLES).stream()
              .filter(r -> r.value().getTask().equals("perturbed-rps"))
              .map(ConsumerRecord::value)
              .filter(g -> g.getSamplerId().startsWith("it-"))
              .toList();
      assertThat(groups).hasSize((int) produced1);

      // Every group id is unique, and each sampler numbers its groups consecutively.
      assertThat(groups.stream().map(SampleGroup::getGroupId).collect(Collectors.toSet()))
          .hasSize(groups.size());
      Map<String, List<SampleGroup>> bySampler = new HashMap<>();
      for (SampleGroup g : groups) {
        GroupIds.Parts parts = GroupIds.parse(g.getGroupId());
        assertThat(parts.samplerId()).isEqualTo(g.getSamplerId());
        bySampler.computeIfAbsent(parts.samplerId(), k -> new ArrayList<>()).add(g);
      }
      // Both share the work; which one draws how many groups is up to timing.
      assertThat(bySampler.keySet()).isNotEmpty().isSubsetOf("it-a", "it-b");
      for (List<SampleGroup> own : bySampler.values()) {
        own.sort(Comparator.comparingLong(g -> GroupIds.parse(g.getGroupId()).sequence()));
        long first = GroupIds.parse(own.get(0).getGroupId()).sequence();
        for (int i = 0; i < own.size(); i++) {
          assertThat(GroupIds.parse(own.get(i).getGroupId()).sequence()).isEqualTo(first + i);
          if (i > 0) { // the hot swap: stamps never go back
            assertThat(own.get(i).getPolicyVersion())
                .isGreaterThanOrEqualTo(own.get(i - 1).getPolicyVersion());
          }
        }
      }

      // The stamps: what was published before version 1 is version 0, everything after is 1.
      long stamped0 = groups.stream().filter(g -> g.getPolicyVersion() == 0).count();
      long stamped1 = groups.stream().filter(g -> g.getPolicyVersion() == 1).count();
      assertThat(stamped0).isEqualTo(produced0);
      assertThat(stamped1).isEqualTo(produced1 - produced0);
      assertThat(groups)
          .allSatisfy(g -> assertThat(g.getMagnetVersion()).isEqualTo(g.getPolicyVersion()));

      // Honest stamps: each response's log-probs are those of the version it names.
      int[] promptTokens = ByteTokenizer.standard().encodePrompt(PROMPT);
      try (PolicyModel m0 = PolicyModel.fromBytes(v0, Engines.device("cpu"));
          PolicyModel m1 = PolicyModel.fromBytes(v1, Engines.device("cpu"))) {
        for (SampleGroup g : groups) {
          assertThat(g.getPromptTokenIds()).containsExactly(box(promptTokens));
          assertThat(g.getPrompt()).isEqualTo(PROMPT);
          assertThat(g.getPromptId()).isEqualTo("prompt-0");
          assertThat(g.getResponses()).hasSize(2);
          PolicyModel drew = g.getPolicyVersion() == 0 ? m0 : m1;
          PolicyModel other = g.getPolicyVersion() == 0 ? m1 : m0;
          for (Response r : g.getResponses()) {
            assertThat(r.getTokenIds()).hasSameSizeAs(r.getLogProbs()).isNotEmpty();
            assertThat(r.getTokenIds().size()).isLessThanOrEqualTo(MAX_NEW_TOKENS);
            int[] ids = r.getTokenIds().stream().mapToInt(Integer::intValue).toArray();
            float[] scored =
                drew.responseTokenLogProbs(List.of(new PromptResponse(promptTokens, ids)))[0];
            float[] otherScored =
                other.responseTokenLogProbs(List.of(new PromptResponse(promptTokens, ids)))[0];
            double diffOther = 0;
            for (int k = 0; k < ids.length; k++) {
              assertThat((double) r.getLogProbs().get(k)).isCloseTo(scored[k], within(1e-4));
              diffOther = Math.max(diffOther, Math.abs(r.getLogProbs().get(k) - otherScored[k]));
            }
            assertThat(diffOther).as("the other version gives other log-probs").isGreaterThan(1e-3);
          }
        }
      }

      for (SamplerService s : samplers) {
        SamplerStats stats = s.stats();
        assertThat(stats.swaps()).isEqualTo(1);
        assertThat(stats.magnetVersion()).isEqualTo(1);
        assertThat(stats.groupsPublished())
            .isEqualTo(bySampler.getOrDefault(s.name(), List.of()).size());
      }
      samplers.forEach(SamplerService::close);
      for (SamplerService s : samplers) {
        assertThat(s.state()).isEqualTo(ServiceState.STOPPED);
      }

      // The metrics said so: each sampler reported being paused, and its swap to version 1.
      List<MetricEvent> events =
          cluster.readAll(Topics.METRICS).stream()
              .filter(r -> r.key().equals("sampler"))
              .map(ConsumerRecord::value)
              .toList();
      for (String id : List.of("it-a", "it-b")) {
        List<MetricEvent> own = events.stream().filter(e -> e.getInstanceId().equals(id)).toList();
        assertThat(own)
            .anySatisfy(e -> assertThat(e.getValues().get("sampler/paused")).isEqualTo(1.0));
        MetricEvent last = own.get(own.size() - 1);
        assertThat(last.getValues())
            .containsEntry("sampler/policyVersion", 1.0)
            .containsEntry("sampler/swaps", 1.0)
            .containsEntry("sampler/inFlightBound", (double) bound)
            .containsEntry(
                "sampler/groupsPublished", (double) bySampler.getOrDefault(id, List.of()).size())
            .containsKeys("sampler/groupsPerSecond", "sampler/pausedSeconds", "sampler/inFlight");
        assertThat(last.getValues().get("sampler/pausedSeconds")).isPositive();
        assertThat(last.getPolicyVersion()).isEqualTo(1);
      }
    } finally {
      samplers.forEach(SamplerService::close);
    }
  }

  @Test
  void aTopicSamplerShouldAnswerEachPromptOnceSkipOtherTasksAndStopAfterMaxGroups()
      throws Exception {
    String model = "it-topic";
    learner.publish(
        model,
        new TestPolicyPublisher.Version(ModelRole.POLICY, 0, 0, 0, 0, weights(3))); // unbounded
    var prompts =
        TopicSerdes.valueSerializer(
            Topics.PROMPTS, cluster.registry(), SchemaRegistration.AUTO_REGISTER);
    Set<String> expected = new HashSet<>();
    // All on partition 0, so they are read in this order.
    cluster.sendRaw(Topics.PROMPTS.name(), 0, "t0", prompts.encode(prompt("t0", "rps", "Go.")));
    expected.add("t0");
    cluster.sendRaw(Topics.PROMPTS.name(), 0, "garbage", new byte[] {0, 0, 0, 0, 99, 1});
    cluster.sendRaw(Topics.PROMPTS.name(), 0, "x", prompts.encode(prompt("x", "other", "No.")));
    for (int i = 1; i < 6; i++) {
      cluster.sendRaw(
          Topics.PROMPTS.name(), 0, "t" + i, prompts.encode(prompt("t" + i, "rps", "Go " + i)));
      expected.add("t" + i);
    }

    SamplerConfig config =
        SamplerConfig.builder(
                cluster.config(), model, "rps", PromptSource.topic("it-samplers-" + model))
            .samplerId("it-topic-sampler")
            .groupsPerBatch(4)
            .sampling(SamplingParams.of(MAX_NEW_TOKENS))
            .maxGroups(6)
            .build();
    try (SamplerService sampler = new SamplerService(config)) {
      sampler.start(Duration.ofSeconds(60));
      assertThat(sampler.awaitTermination(TestBroker.DEADLINE)).isEqualTo(ServiceState.STOPPED);
      assertThat(sampler.stats().groupsPublished()).isEqualTo(6);
      assertThat(sampler.stats().promptsSkipped()).isEqualTo(1);
      assertThat(sampler.stats().promptsRejected()).isEqualTo(1);
    }
    List<SampleGroup> groups =
        cluster.readAll(Topics.SAMPLES).stream()
            .map(ConsumerRecord::value)
            .filter(g -> g.getSamplerId().equals("it-topic-sampler"))
            .toList();
    assertThat(groups)
        .extracting(SampleGroup::getPromptId)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(groups).allSatisfy(g -> assertThat(g.getTask()).isEqualTo("rps"));
    List<DeadLetter> letters =
        cluster.readAll(Topics.DEAD_LETTERS).stream()
            .map(ConsumerRecord::value)
            .filter(l -> l.getSourceTopic().equals(Topics.PROMPTS.name()))
            .toList();
    assertThat(letters)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.getErrorType()).isEqualTo("UNDECODABLE");
              assertThat(l.getComponent()).isEqualTo("sampler");
              assertThat(l.getOffset()).isEqualTo(1);
            });
  }

  @Test
  void aSamplerShouldCountItsModelsGroupsOnlyNotAnotherModelsOnTheSameTopics() throws Exception {
    String model = "it-shared-a";
    String other = "it-shared-b";
    // Where samples stands at model a's version 0, as its learner records it.
    List<Long> base = samplesEnds();
    int groupsPerVersion = 4;
    int maxStaleness = 2;
    long bound = (long) maxStaleness * groupsPerVersion;
    learner.publish(
        model,
        new TestPolicyPublisher.Version(
            ModelRole.POLICY, 0, 0, 0, groupsPerVersion, weights(5), base),
        new TestPolicyPublisher.Version(
            ModelRole.MAGNET, 0, 0, 0, groupsPerVersion, weights(5), base));
    // Another model's 60 groups on the same topics (its samplers running beside these): they are
    // not model a's, so they may not hold its samplers back.
    var samples =
        TopicSerdes.valueSerializer(
            Topics.SAMPLES, cluster.registry(), SchemaRegistration.AUTO_REGISTER);
    for (int i = 0; i < 60; i++) {
      SampleGroup g = SampleRecords.sampleGroup();
      g.setModelId(other);
      g.setGroupId("it-b-" + i);
      cluster.sendRaw(Topics.SAMPLES.name(), i % 8, g.getGroupId(), samples.encode(g));
    }

    try (SamplerService sampler =
        new SamplerService(
            sampler(model, "it-shared-a-sampler", PromptSource.fixed(PROMPT))
                .maxStaleness(maxStaleness)
                .build())) {
      sampler.start(Duration.ofSeconds(60));
      TestBroker.await("the sampler pauses at its bound", () -> sampler.stats().paused());
      // It published its bound and stopped there: its own groups, counted at once.
      assertThat(sampler.stats().groupsPublished()).isEqualTo(bound);
      assertThat(sampler.stats().inFlight()).isEqualTo(bound);
      // The learner consumed 8: it goes on to the bound again, still blind to the other model.
      learner.publish(
          model,
          new TestPolicyPublisher.Version(
              ModelRole.POLICY, 1, 0, 8, groupsPerVersion, weights(6), base));
      TestBroker.await(
          "the sampler pauses again after 16",
          () -> sampler.stats().paused() && sampler.stats().groupsPublished() == 2 * bound);
      assertThat(sampler.stats().inFlight()).isEqualTo(bound);
    }
    long ofModel =
        cluster.readAll(Topics.SAMPLES).stream()
            .map(ConsumerRecord::value)
            .filter(g -> g.getModelId().equals(model))
            .count();
    assertThat(ofModel).isEqualTo(2 * bound);
  }

  /** The end offset of each partition of samples, by partition. */
  private static List<Long> samplesEnds() {
    var p = cluster.config().clientProperties("it-ends");
    try (var c =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            p,
            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> parts =
          c.partitionsFor(Topics.SAMPLES.name()).stream()
              .map(i -> new org.apache.kafka.common.TopicPartition(i.topic(), i.partition()))
              .sorted(Comparator.comparingInt(org.apache.kafka.common.TopicPartition::partition))
              .toList();
      Map<org.apache.kafka.common.TopicPartition, Long> ends = c.endOffsets(parts);
      return parts.stream().map(ends::get).toList();
    }
  }

  @Test
  void aSamplerRestartedWithItsIdShouldNeverRepeatAGroupId() throws Exception {
    String model = "it-restarted";
    learner.publish(
        model,
        new TestPolicyPublisher.Version(ModelRole.POLICY, 0, 0, 0, 0, weights(4))); // unbounded
    for (int run = 0; run < 2; run++) {
      SamplerConfig config =
          sampler(model, "it-restarted-sampler", PromptSource.fixed(PROMPT)).maxGroups(4).build();
      try (SamplerService sampler = new SamplerService(config)) {
        sampler.start(Duration.ofSeconds(60));
        assertThat(sampler.awaitTermination(TestBroker.DEADLINE)).isEqualTo(ServiceState.STOPPED);
      }
    }
    List<String> ids =
        cluster.readAll(Topics.SAMPLES).stream()
            .map(ConsumerRecord::value)
            .filter(g -> g.getSamplerId().equals("it-restarted-sampler"))
            .map(SampleGroup::getGroupId)
            .toList();
    assertThat(ids).hasSize(8).doesNotHaveDuplicates();
  }

  private static Prompt prompt(String id, String task, String text) {
    return Prompt.newBuilder()
        .setPromptId(id)
        .setTask(task)
        .setText(text)
        .setTime(Instant.now())
        .build();
  }

  private static Integer[] box(int[] ids) {
    Integer[] out = new Integer[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }
}
