package dev.lodestone.learner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.lodestone.learner.Learner;
import dev.lodestone.learner.LearnerAlgorithm;
import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerCore;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.learner.LearnerStats;
import dev.lodestone.learner.TestGroups;
import dev.lodestone.learner.TrainingGroup;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.chunk.Sha256;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The learner against a real single-node broker and the embedded registry, with the test playing
 * the label join: labelled groups made from a tiny model's real samples are appended to {@code
 * labeled}. Tests share the topic; each reads its own records (from the offset where it appended
 * them).
 */
@Tag("integration")
class LearnerIT {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration END = Duration.ofSeconds(120);

  private static TestCluster cluster;
  private static byte[] initial;
  private static List<LabeledGroup> groups;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start();
    try (PolicyModel model = PolicyModel.create(TestGroups.TINY, Device.cpu(), 5)) {
      initial = model.toBytes();
      groups = TestGroups.labeled(model, 16, 3, 21, 0, "it");
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  private static LearnerConfig.Builder config(String model, long startOffset) {
    return LearnerConfig.builder(cluster.config(), model)
        .hyperparameters(
            LearnerHyperparameters.builder()
                .algorithm(LearnerAlgorithm.MPO)
                .batchGroups(2)
                .publishEvery(2)
                .magnetEvery(2)
                .learningRate(1e-2)
                .build())
        .startOffset(startOffset)
        .metricsInterval(Duration.ofMillis(100));
  }

  /** The POLICY (or MAGNET) chunks of a model, by version. */
  private static Map<Long, List<PolicyVersion>> versions(String model, ModelRole role) {
    Map<Long, List<PolicyVersion>> out = new TreeMap<>();
    for (ConsumerRecord<String, PolicyVersion> r : cluster.readAll(Topics.POLICY)) {
      PolicyVersion v = r.value();
      if (v.getModelId().equals(model) && v.getRole() == role) {
        assertThat(r.key()).isEqualTo(model + "/" + role + "/" + v.getChunkIndex());
        out.computeIfAbsent(v.getVersion(), k -> new ArrayList<>()).add(v);
      }
    }
    return out;
  }

  private static String finalSha(String model) {
    Map<Long, List<PolicyVersion>> v = versions(model, ModelRole.POLICY);
    return v.get(((TreeMap<Long, List<PolicyVersion>>) v).lastKey()).get(0).getSha256();
  }

  @Test
  void shouldPublishVersionsMagnetsAndCheckpointsTransactionally() throws Exception {
    String model = "it-publish";
    long first = cluster.append(groups.subList(0, 12));
    LearnerConfig cfg = config(model, first).maxSteps(6).build();
    try (Learner learner = new Learner(cfg, initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      LearnerStats s = learner.stats();
      assertThat(s.step()).isEqualTo(6);
      assertThat(s.policyVersion()).isEqualTo(3);
      assertThat(s.magnetVersion()).isEqualTo(1);
      assertThat(s.consumedGroups()).isEqualTo(12);
      assertThat(s.skippedSteps()).isZero();
      assertThat(s.meanStalenessVersions()).isGreaterThan(0); // groups of version 0, read later
      assertThat(learner.step()).isEqualTo(6);
      assertThat(learner.policyVersion()).isEqualTo(3);
      assertThat(learner.magnetVersion()).isEqualTo(1);
      assertThat(learner.consumedGroups()).isEqualTo(12);
      assertThat(s.policySha256()).isEqualTo(finalSha(model));
    }
    // POLICY 0..3, every 2 steps, each with the groups consumed so far.
    Map<Long, List<PolicyVersion>> policy = versions(model, ModelRole.POLICY);
    assertThat(policy.keySet()).containsExactly(0L, 1L, 2L, 3L);
    for (Map.Entry<Long, List<PolicyVersion>> e : policy.entrySet()) {
      PolicyVersion v = e.getValue().get(0);
      assertThat(e.getValue()).hasSize(v.getChunkCount());
      assertThat(v.getStep()).isEqualTo(2 * e.getKey());
      assertThat(v.getConsumedGroups()).isEqualTo(4 * e.getKey());
      assertThat(v.getGroupsPerVersion()).isEqualTo(4);
      assertThat(v.getAlgorithm()).isEqualTo("mpo");
      assertThat(v.getConsumedOffsets().get(0).getOffset()).isEqualTo(first + 4 * e.getKey());
    }
    assertThat(policy.get(0L).get(0).getSha256()).isEqualTo(Sha256.hex(initial));
    // MAGNET 0 (version 0) and 1 (reset at POLICY version 2, same weights).
    Map<Long, List<PolicyVersion>> magnet = versions(model, ModelRole.MAGNET);
    assertThat(magnet.keySet()).containsExactly(0L, 1L);
    assertThat(magnet.get(1L).get(0).getSha256()).isEqualTo(policy.get(2L).get(0).getSha256());
    assertThat(policy.get(2L).get(0).getMagnetVersion()).isEqualTo(1);
    // The same weights as the core applied in process to the same batches, with the learning rate
    // cooled down over the last quarter of the 6-step budget (the 6th step, taken at progress 5/6,
    // with a factor 0.7).
    List<TrainingGroup> training = TestGroups.training(groups.subList(0, 12), TestGroups.TINY);
    try (LearnerCore core = LearnerCore.initial(initial, cfg.hyperparameters(), Device.cpu())) {
      for (int i = 0; i < 12; i += 2) {
        core.step(training.subList(i, i + 2), core.step() / 6.0);
        if (core.publishDue()) {
          core.publish();
        }
      }
      assertThat(policy.get(3L).get(0).getSha256()).isEqualTo(Sha256.hex(core.weights()));
    }
    // One checkpoint per version, and the consumed offset committed with the last one.
    List<Long> checkpointSteps =
        cluster.readAll(Topics.LEARNER_STATE).stream()
            .map(ConsumerRecord::value)
            .filter(c -> c.getModelId().equals(model) && c.getChunkIndex() == 0)
            .map(LearnerCheckpoint::getStep)
            .toList();
    assertThat(checkpointSteps).containsExactly(0L, 2L, 4L, 6L);
    assertThat(cluster.committed(cfg.groupId())).isEqualTo(first + 12);
    // Metrics under the stable names.
    List<MetricEvent> metrics =
        cluster.readAll(Topics.METRICS).stream()
            .map(ConsumerRecord::value)
            .filter(m -> m.getInstanceId().equals("learner-" + model))
            .toList();
    assertThat(metrics).isNotEmpty();
    assertThat(metrics.stream().flatMap(m -> m.getValues().keySet().stream()).distinct())
        .contains(
            "loss/total",
            "loss/policy",
            "kl/magnet",
            "kl/previous",
            "reward/mean",
            "is/meanWeight",
            "is/clippedFraction",
            "staleness/versions",
            "learner/skippedSteps",
            "learner/groupsPerSecond",
            "learner/step",
            "learner/policyVersion",
            "learner/magnetVersion");
    assertThat(metrics.get(metrics.size() - 1).getValues().get("learner/step")).isEqualTo(6.0);
  }

  @Test
  void shouldStopAtItsTimeBudgetPublishingTheStepsNotYetPublished() throws Exception {
    String model = "it-duration";
    // 7 groups: 3 steps of 2 (version 1 at step 2), and one group that never fills a batch.
    long first = cluster.append(groups.subList(0, 7));
    LearnerConfig cfg = config(model, first).maxDuration(Duration.ofSeconds(8)).build();
    try (Learner learner = new Learner(cfg, initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      assertThat(learner.step()).isEqualTo(3);
      assertThat(learner.consumedGroups()).isEqualTo(7);
      // Step 3 was not due (publishEvery 2): it was published when the time was up.
      assertThat(learner.policyVersion()).isEqualTo(2);
    }
    Map<Long, List<PolicyVersion>> policy = versions(model, ModelRole.POLICY);
    assertThat(policy.keySet()).containsExactly(0L, 1L, 2L);
    assertThat(policy.get(2L).get(0).getStep()).isEqualTo(3);
    // The left-over group was not trained on: the committed position is before it, so the next
    // learner of this model reads it again.
    assertThat(policy.get(2L).get(0).getConsumedOffsets().get(0).getOffset()).isEqualTo(first + 6);
    assertThat(cluster.committed(cfg.groupId())).isEqualTo(first + 6);
  }

  @Test
  void shouldStopAtTheEndOfItsInputWithTheWholeBatchesAsItsStepBudget() throws Exception {
    // 9 groups; the range holds the first 7: 3 whole batches of 2, and one group left over.
    long first = cluster.append(groups.subList(0, 9));
    String ranged = "it-range";
    try (Learner learner =
        new Learner(config(ranged, first).endOffset(first + 7).build(), initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      LearnerStats s = learner.stats();
      assertThat(s.step()).isEqualTo(3);
      assertThat(s.budgetSteps()).isEqualTo(3);
      assertThat(s.consumedGroups()).isEqualTo(6); // the budget's end: the 7th is left
      assertThat(s.policyVersion()).isEqualTo(2); // step 3 published at the end
    }
    // The same schedule as a learner told to take 3 steps: bit-identical weights.
    String stepped = "it-range-steps";
    try (Learner learner = new Learner(config(stepped, first).maxSteps(3).build(), initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
    }
    assertThat(finalSha(ranged)).isEqualTo(finalSha(stepped));
    // A restored learner keeps the checkpoint's end: given another, it still stops at once.
    try (Learner again = new Learner(config(ranged, first).endOffset(first + 9).build(), null)) {
      again.start(START);
      assertThat(again.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      assertThat(again.step()).isEqualTo(3);
    }
  }

  @Test
  void shouldFixItsStepBudgetWhenTheCooldownOfItsTimeLimitBeginsSoThatStepsReplayIt()
      throws Exception {
    long first = cluster.labeledEnd();
    String timed = "it-timed";
    LearnerStats s;
    Thread feeder =
        new Thread(
            () -> {
              try {
                for (int k = 0; k < 2000 && !Thread.currentThread().isInterrupted(); k++) {
                  cluster.append(groups.subList((2 * k) % 16, (2 * k) % 16 + 2));
                  Thread.sleep(100);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "feeder");
    feeder.start();
    try (Learner learner =
        new Learner(config(timed, first).maxDuration(Duration.ofSeconds(4)).build(), initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      s = learner.stats();
    } finally {
      feeder.interrupt();
      feeder.join();
    }
    // The budget was fixed during the run, and the run ended at its last step, not at a time.
    assertThat(s.budgetSteps()).isPositive();
    assertThat(s.step()).isEqualTo(s.budgetSteps());
    // Told to take that many steps, a learner on the same log publishes the same weights.
    String replay = "it-timed-replay";
    try (Learner learner =
        new Learner(config(replay, first).maxSteps(s.budgetSteps()).build(), initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      assertThat(learner.stats().policySha256()).isEqualTo(s.policySha256());
    }
    assertThat(finalSha(replay)).isEqualTo(finalSha(timed));
  }

  @Test
  void shouldResumeBitIdenticallyWhenClosedBetweenPublications() throws Exception {
    long first = cluster.append(groups.subList(0, 10));
    // Straight: 8 steps, no interruption (its records arrive below).
    String straight = "it-straight";
    String crashed = "it-crashed";
    try (Learner learner = new Learner(config(crashed, first).maxSteps(8).build(), initial)) {
      learner.start(START);
      // 10 groups: 5 steps, versions 1 and 2 published, step 5 not yet.
      TestCluster.await("the learner takes its 5th step", () -> learner.step() == 5);
      assertThat(learner.policyVersion()).isEqualTo(2);
    } // closed without publishing step 5
    cluster.append(groups.subList(10, 16));
    try (Learner straightLearner =
        new Learner(config(straight, first).maxSteps(8).build(), initial)) {
      straightLearner.start(START);
      assertThat(straightLearner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
    }
    // A new learner of the crashed model, without initial weights: it must restore.
    try (Learner resumed = new Learner(config(crashed, first).maxSteps(8).build(), null)) {
      resumed.start(START);
      assertThat(resumed.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      assertThat(resumed.step()).isEqualTo(8);
      assertThat(resumed.consumedGroups()).isEqualTo(16);
    }
    assertThat(finalSha(crashed)).isEqualTo(finalSha(straight));
    Map<Long, List<PolicyVersion>> crashedVersions = versions(crashed, ModelRole.POLICY);
    assertThat(crashedVersions.keySet()).containsExactly(0L, 1L, 2L, 3L, 4L);
    for (List<PolicyVersion> chunks : crashedVersions.values()) {
      assertThat(chunks).hasSize(chunks.get(0).getChunkCount()); // each version exactly once
    }
    Map<Long, List<PolicyVersion>> straightVersions = versions(straight, ModelRole.POLICY);
    for (long v = 0; v <= 4; v++) {
      assertThat(crashedVersions.get(v).get(0).getSha256())
          .isEqualTo(straightVersions.get(v).get(0).getSha256());
    }
  }

  @Test
  void shouldSendBadRecordsToTheDeadLettersAndKeepLearning() throws Exception {
    String model = "it-dead-letters";
    long first = cluster.append(groups.subList(0, 2));
    long garbage =
        cluster.appendRaw("garbage", "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    LabeledGroup badProbability = LabeledGroup.newBuilder(groups.get(2)).build();
    badProbability.setPreferences(List.of(new PairPreference(0, 1, 1.5, 1, List.of())));
    LabeledGroup badToken = LabeledGroup.newBuilder(groups.get(3)).build();
    Response r = badToken.getGroup().getResponses().get(0);
    List<Integer> ids = new ArrayList<>(r.getTokenIds());
    ids.set(0, 1000);
    r.setTokenIds(ids);
    long badProbabilityOffset = cluster.append(List.of(badProbability));
    long badTokenOffset = cluster.append(List.of(badToken));
    cluster.append(groups.subList(4, 6));
    try (Learner learner = new Learner(config(model, first).maxSteps(2).build(), initial)) {
      learner.start(START);
      assertThat(learner.awaitTermination(END)).isEqualTo(ServiceState.STOPPED);
      assertThat(learner.step()).isEqualTo(2);
      assertThat(learner.consumedGroups()).isEqualTo(7);
    }
    List<DeadLetter> letters =
        cluster.readAll(Topics.DEAD_LETTERS).stream()
            .map(ConsumerRecord::value)
            .filter(d -> d.getComponent().equals(Learner.COMPONENT))
            .toList();
    assertThat(letters)
        .extracting(DeadLetter::getOffset, DeadLetter::getErrorType)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(garbage, "UNDECODABLE"),
            org.assertj.core.groups.Tuple.tuple(badProbabilityOffset, "INVALID_PROBABILITY"),
            org.assertj.core.groups.Tuple.tuple(badTokenOffset, "INVALID_RECORD"));
    assertThat(letters).allSatisfy(d -> assertThat(d.getSourceTopic()).isEqualTo("labeled"));
    Map<Long, List<PolicyVersion>> policy = versions(model, ModelRole.POLICY);
    assertThat(policy.keySet()).containsExactly(0L, 1L);
    assertThat(policy.get(1L).get(0).getConsumedGroups()).isEqualTo(7);
  }

  @Test
  void shouldRefuseToStartANewModelWithoutInitialWeights() {
    try (Learner learner =
        new Learner(config("it-no-weights", cluster.labeledEnd()).build(), null)) {
      assertThatThrownBy(() -> learner.start(START))
          .isInstanceOf(ServiceException.class)
          .hasMessageContaining("no checkpoint of model 'it-no-weights'")
          .hasMessageContaining("no initial weights");
      assertThat(learner.state()).isEqualTo(ServiceState.FAILED);
    }
  }
}
