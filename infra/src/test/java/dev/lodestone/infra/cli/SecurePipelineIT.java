package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.chaos.LodestoneProcess;
import dev.lodestone.infra.chaos.TopicReader;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.stack.LocalStack;
import dev.lodestone.stack.LocalStackConfig;
import dev.lodestone.stack.security.Role;
import dev.lodestone.stack.security.StackSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline as separate processes on the secured stack ({@code up --secure}), each component
 * with its own role's client settings ({@code --command-config}): a sampler, a judge (with its
 * label join) and a learner train to the end with every group labelled and consumed once. A learner
 * given the sampler's settings is refused by the broker and exits with an error.
 */
@Tag("integration")
class SecurePipelineIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "it-secure";
  private static final long STEPS = 40;

  private static LocalStack stack;
  private static StackSecurity security;

  @BeforeAll
  static void startStack() {
    stack = new LocalStack(LocalStackConfig.ephemeral().withSecurity(true));
    stack.start(LocalStack.DEFAULT_START_TIMEOUT);
    security = stack.security().orElseThrow();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static List<String> common(String command, Role role) {
    return new ArrayList<>(
        List.of(
            command,
            "--bootstrap",
            stack.bootstrapServers(),
            "--registry",
            stack.registryUrl(),
            "--command-config",
            security.clientConfig(role).toString(),
            "--task",
            "perturbed-rps",
            "--model-id",
            MODEL));
  }

  private static List<String> learnerArgs(Path dir, Role role) {
    List<String> a = common("learner", role);
    a.addAll(
        List.of(
            "--model",
            "tiny",
            "--warmup-cache",
            dir.resolve("warmup").toString(),
            "--steps",
            Long.toString(STEPS),
            "--batch-groups",
            "2",
            "--publish-every",
            "2",
            "--json"));
    return a;
  }

  @Test
  void shouldRunEveryComponentUnderItsOwnRole() throws Exception {
    Path dir = Files.createTempDirectory("secure-pipeline-");
    // The learner under the sampler's role: it may not write policy.
    try (LodestoneProcess wrong =
        LodestoneProcess.start(dir, "learner-as-sampler", learnerArgs(dir, Role.SAMPLER))) {
      assertThat(wrong.awaitExit(Duration.ofSeconds(150)))
          .as("exit status; stderr:\n%s", wrong.tail())
          .isNotZero();
      assertThat(wrong.stderr()).containsIgnoringCase("authoriz");
    }

    List<LodestoneProcess> processes = new ArrayList<>();
    try {
      List<String> judge = common("judge", Role.JUDGE);
      judge.addAll(List.of("--instance-id", "j1", "--state-dir", dir.resolve("j1").toString()));
      processes.add(LodestoneProcess.start(dir, "judge", judge));
      List<String> sampler = common("sampler", Role.SAMPLER);
      sampler.addAll(
          List.of(
              "--sampler-id", "it-secure-s1", "--groups-per-batch", "2", "--max-new-tokens", "10"));
      processes.add(LodestoneProcess.start(dir, "sampler", sampler));
      LodestoneProcess learner =
          LodestoneProcess.start(dir, "learner", learnerArgs(dir, Role.LEARNER));
      processes.add(learner);
      assertThat(learner.awaitExit(Duration.ofSeconds(240)))
          .as("learner exit status; stderr:\n%s", learner.tail())
          .isZero();
      String[] lines = learner.stdout().strip().split("\n");
      JsonNode stats = JSON.readTree(lines[lines.length - 1]);
      assertThat(stats.get("step").asLong()).isEqualTo(STEPS);

      processes.get(1).stop(Duration.ofSeconds(60));
      ClusterConfig admin =
          ClusterConfig.of(stack.bootstrapServers(), stack.registryUrl())
              .withClientProperties(
                  ClusterConfig.readClientConfig(security.clientConfig(Role.ADMIN)));
      TopicReader reader = new TopicReader(admin);
      TopicReader.await(
          "every sample group is on labeled",
          Duration.ofSeconds(90),
          () ->
              reader.raw(Topics.LABELED.name()).size() >= reader.raw(Topics.SAMPLES.name()).size());
      Set<String> sampleIds = new HashSet<>();
      for (TopicReader.Read<SampleGroup> r : reader.all(Topics.SAMPLES)) {
        assertThat(sampleIds.add(r.value().getGroupId())).as("duplicate %s", r.key()).isTrue();
      }
      Set<String> labeledIds = new HashSet<>();
      for (TopicReader.Read<LabeledGroup> r : reader.all(Topics.LABELED)) {
        assertThat(labeledIds.add(r.value().getGroup().getGroupId()))
            .as("group %s twice on labeled", r.key())
            .isTrue();
      }
      assertThat(labeledIds).isEqualTo(sampleIds);
      assertThat(sampleIds.size()).isGreaterThanOrEqualTo((int) (STEPS * 2));
      for (LodestoneProcess p : processes) {
        assertThat(p.stderr()).as(p.name()).doesNotContain("AUTHORIZATION_FAILED");
      }
    } finally {
      for (LodestoneProcess p : processes) {
        p.close();
      }
    }
  }
}
