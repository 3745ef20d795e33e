package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.chaos.Components;
import dev.lodestone.infra.chaos.LodestoneProcess;
import dev.lodestone.infra.chaos.PolicyWatcher;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline as separate processes against the local stack: two samplers, two judge instances
 * (each with a label-join instance) and one learner, each {@code lodestone COMPONENT} in a JVM of
 * its own, a tiny model. The learner is killed with SIGKILL mid-run and restarted; every sample
 * group is still labelled exactly once and consumed by the learner exactly once. Then {@code
 * lodestone replay} of the recorded log, killed twice and resumed, and of its exported file, ends
 * with the recorded learner's weights.
 */
@Tag("integration")
class PipelineProcessesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "it-processes";
  private static final String LEARNER_GROUP = "it-processes-learner";
  private static final long STEPS = 240;
  private static final int BATCH_GROUPS = 2;
  private static final long KILL_AT_STEP = 90;

  private static LocalStack stack;
  private static ClusterConfig cluster;

  @BeforeAll
  static void startStack() {
    stack = new LocalStack(LocalStackConfig.ephemeral());
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    cluster = ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static Components components(Path dir) {
    return new Components(cluster, dir, MODEL, STEPS);
  }

  private static List<String> learnerArgs(Path dir) {
    return components(dir).learner();
  }

  /** {@code lodestone replay} with the recorded learner's settings, under another model id. */
  private static List<String> replayArgs(Path dir, String model, String from) {
    return components(dir).replay(model, from);
  }

  /** A finished replay: its --json line and its standard error. */
  private record Replayed(JsonNode json, String stderr) {}

  /** Runs a replay to its end. */
  private static Replayed replay(Path dir, String name, List<String> args) throws Exception {
    try (LodestoneProcess p = LodestoneProcess.start(dir, name, args)) {
      assertThat(p.awaitExit(Duration.ofSeconds(150)))
          .as("%s exit status; stderr:\n%s", name, p.tail())
          .isZero();
      String[] lines = p.stdout().strip().split("\n");
      return new Replayed(JSON.readTree(lines[lines.length - 1]), p.stderr());
    }
  }

  @Test
  void shouldLabelAndConsumeEveryGroupExactlyOnceWhenTheLearnerIsKilledAndRestarted()
      throws Exception {
    Path dir = Files.createTempDirectory("pipeline-processes-");
    List<LodestoneProcess> processes = new ArrayList<>();
    try (PolicyWatcher policy = new PolicyWatcher(cluster, MODEL)) {
      for (String id : List.of("j1", "j2")) {
        processes.add(LodestoneProcess.start(dir, id, components(dir).judge(id)));
      }
      for (String id : List.of("it-s1", "it-s2")) {
        processes.add(LodestoneProcess.start(dir, id, components(dir).sampler(id)));
      }
      LodestoneProcess first = LodestoneProcess.start(dir, "learner-1", learnerArgs(dir));
      processes.add(first);

      // Mid-run: SIGKILL, no clean close; then the same command again resumes from the checkpoint.
      TopicReader.await(
          "the learner publishes at step " + KILL_AT_STEP,
          Duration.ofSeconds(150),
          () -> policy.maxStep() >= KILL_AT_STEP || !first.isAlive());
      assertThat(first.isAlive())
          .as("learner alive before the kill; stderr:\n%s", first.tail())
          .isTrue();
      first.kill();
      long stepAtKill = policy.maxStep();
      LodestoneProcess second = LodestoneProcess.start(dir, "learner-2", learnerArgs(dir));
      processes.add(second);
      assertThat(second.awaitExit(Duration.ofSeconds(150)))
          .as("learner exit status; stderr:\n%s", second.tail())
          .isZero();
      String[] lines = second.stdout().strip().split("\n");
      JsonNode stats = JSON.readTree(lines[lines.length - 1]);
      // The second learner resumed from a checkpoint: it started past step 0.
      assertThat(second.stderr()).containsPattern("running \\(model " + MODEL + ", step [1-9]");

      // Stop the samplers; the judges label what is left.
      for (LodestoneProcess p : processes) {
        if (p.name().startsWith("it-s")) {
          p.stop(Duration.ofSeconds(60));
        }
      }
      TopicReader reader = new TopicReader(cluster);
      TopicReader.await(
          "every sample group is on labeled",
          Duration.ofSeconds(90),
          () ->
              reader.raw(Topics.LABELED.name()).size() >= reader.raw(Topics.SAMPLES.name()).size());

      // Samples: unique ids, drawn from several policy versions (the samplers hot-swapped).
      List<TopicReader.Read<SampleGroup>> samples = reader.all(Topics.SAMPLES);
      Set<String> sampleIds = new HashSet<>();
      for (TopicReader.Read<SampleGroup> r : samples) {
        assertThat(sampleIds.add(r.value().getGroupId())).as("duplicate %s", r.key()).isTrue();
      }
      Set<Long> versions =
          samples.stream().map(r -> r.value().getPolicyVersion()).collect(Collectors.toSet());
      assertThat(versions).hasSizeGreaterThanOrEqualTo(10);
      assertThat(samples.stream().map(r -> r.value().getSamplerId()).distinct())
          .containsExactlyInAnyOrder("it-s1", "it-s2");

      // Labels: exactly one per group (G = 2: one pair, one judge application).
      Map<String, Long> labelsPerGroup =
          reader.all(Topics.LABELS).stream()
              .collect(Collectors.groupingBy(r -> r.value().getGroupId(), Collectors.counting()));
      assertThat(labelsPerGroup.keySet()).isEqualTo(sampleIds);
      assertThat(labelsPerGroup.values()).containsOnly(1L);

      // Labeled: every group exactly once.
      List<TopicReader.Read<LabeledGroup>> labeled = reader.all(Topics.LABELED);
      Set<String> labeledIds = new HashSet<>();
      for (TopicReader.Read<LabeledGroup> r : labeled) {
        assertThat(labeledIds.add(r.value().getGroup().getGroupId()))
            .as("group %s twice on labeled", r.key())
            .isTrue();
      }
      assertThat(labeledIds).isEqualTo(sampleIds);

      // Learner: consumed each group it counts exactly once, across the kill. A step skipped for
      // a non-finite gradient consumes its batch without counting as a step.
      assertThat(stats.get("step").asLong()).isEqualTo(STEPS);
      long batches = STEPS + stats.get("skippedSteps").asLong();
      assertThat(stats.get("consumedGroups").asLong()).isEqualTo(batches * BATCH_GROUPS);
      assertThat(stats.get("state").asText()).isEqualTo("STOPPED");
      Map<TopicPartition, OffsetAndMetadata> committed = reader.committed(LEARNER_GROUP);
      long position = committed.get(new TopicPartition(Topics.LABELED.name(), 0)).offset();
      long before = labeled.stream().filter(r -> r.offset() < position).count();
      assertThat(before).isEqualTo(batches * BATCH_GROUPS);
      PolicyVersion last = policy.last();
      assertThat(last.getStep()).isEqualTo(STEPS);
      assertThat(last.getConsumedGroups()).isEqualTo(batches * BATCH_GROUPS);
      assertThat(stepAtKill).isLessThan(STEPS);

      // Replays of the recorded log, with the learner's settings, end bit-identical to it, though
      // it was killed and resumed: one from labeled killed twice with SIGKILL and run again, one
      // from an exported file. Another --alpha gives another, complete run.
      String recorded = stats.get("sha256").asText();
      String killedModel = MODEL + "-replay";
      List<String> replayArgs = replayArgs(dir, killedModel, "labeled");
      try (PolicyWatcher replayPolicy = new PolicyWatcher(cluster, killedModel)) {
        for (long killAt : new long[] {KILL_AT_STEP, 2 * KILL_AT_STEP}) {
          LodestoneProcess r = LodestoneProcess.start(dir, "replay-" + killAt, replayArgs);
          processes.add(r);
          TopicReader.await(
              "the replay publishes at step " + killAt,
              Duration.ofSeconds(150),
              () -> replayPolicy.maxStep() >= killAt || !r.isAlive());
          assertThat(r.isAlive())
              .as("replay alive before the kill; stderr:\n%s", r.tail())
              .isTrue();
          r.kill();
        }
      }
      Replayed again = replay(dir, "replay-resumed", replayArgs);
      // It resumed from the checkpoint of the second killed replay, past the first kill's step.
      assertThat(again.stderr()).containsPattern("running from step (\\d{3}|[6-9]\\d)");
      JsonNode resumed = again.json();
      assertThat(resumed.get("step").asLong()).isEqualTo(STEPS);
      assertThat(resumed.get("sha256").asText()).isEqualTo(recorded);

      Path file = dir.resolve("labeled.avro");
      CliRun export =
          CliRun.of(
              "export",
              "--bootstrap",
              stack.bootstrapServers(),
              "--registry",
              stack.registryUrl(),
              "--topic",
              "labeled",
              "--out",
              file.toString());
      assertThat(export.exitCode()).as(export.err()).isZero();
      // Samples name the model whose versions drew them: an export keeps one model's.
      for (String model : List.of(MODEL, "another-model")) {
        CliRun byModel =
            CliRun.of(
                "export",
                "--bootstrap",
                stack.bootstrapServers(),
                "--registry",
                stack.registryUrl(),
                "--topic",
                "samples",
                "--model-id",
                model,
                "--out",
                dir.resolve(model + ".avro").toString(),
                "--json");
        assertThat(byModel.exitCode()).as(byModel.err()).isZero();
        String[] exportLines = byModel.out().strip().split("\n");
        JsonNode exported = JSON.readTree(exportLines[exportLines.length - 1]);
        long expected = model.equals(MODEL) ? sampleIds.size() : 0;
        assertThat(exported.get("records").asLong()).isEqualTo(expected);
        assertThat(exported.get("otherModels").asLong()).isEqualTo(sampleIds.size() - expected);
      }
      JsonNode fromFile =
          replay(dir, "replay-file", replayArgs(dir, MODEL + "-file", file.toString())).json();
      assertThat(fromFile.get("input").asText()).isEqualTo(Topics.REPLAY.name());
      assertThat(fromFile.get("sha256").asText()).isEqualTo(recorded);

      List<String> alphaArgs = replayArgs(dir, MODEL + "-alpha", "labeled");
      alphaArgs.addAll(List.of("--alpha", "0.5"));
      JsonNode alpha = replay(dir, "replay-alpha", alphaArgs).json();
      assertThat(alpha.get("state").asText()).isEqualTo("STOPPED");
      assertThat(alpha.get("step").asLong()).isEqualTo(STEPS);
      assertThat(alpha.get("sha256").asText()).isNotEqualTo(recorded);

      // The recorded samples relabelled with sampled 0/1 verdicts, and a replay on those labels.
      CliRun relabel =
          CliRun.of(
              "relabel",
              "--bootstrap",
              stack.bootstrapServers(),
              "--registry",
              stack.registryUrl(),
              "--task",
              "perturbed-rps",
              "--from-time",
              "2000-01-01T00:00:00Z",
              "--labels",
              "sampled",
              "--json");
      assertThat(relabel.exitCode()).as(relabel.err()).isZero();
      String[] relabelLines = relabel.out().strip().split("\n");
      JsonNode relabelled = JSON.readTree(relabelLines[relabelLines.length - 1]);
      assertThat(relabelled.get("groups").asLong()).isEqualTo(sampleIds.size());
      // A 0/1 draw agrees with the exact preference more often than not.
      assertThat(relabelled.get("agreement").asDouble()).isGreaterThan(0.5).isLessThan(1.0);
      JsonNode onNewLabels =
          replay(
                  dir,
                  "replay-relabelled",
                  replayArgs(dir, MODEL + "-relabelled", relabelled.get("replayFrom").asText()))
              .json();
      assertThat(onNewLabels.get("state").asText()).isEqualTo("STOPPED");
      assertThat(onNewLabels.get("step").asLong()).isEqualTo(STEPS);
      assertThat(onNewLabels.get("sha256").asText()).isNotEqualTo(recorded);
    } finally {
      for (int i = processes.size() - 1; i >= 0; i--) {
        processes.get(i).close();
      }
      FileUtils.deleteQuietly(dir.toFile());
    }
  }
}
