package dev.lodestone.infra.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.cli.CliRun;
import org.junit.jupiter.api.Test;

/** {@code lodestone bench learner} on a budget of a few steps, with the real learner and oracle. */
class BenchLearnerCommandTest {

  @Test
  void shouldRunTheBudgetInStepsWithSampledLabelsAndReportTheAverageIterate() throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "learner",
            "--task",
            "rps",
            "--steps",
            "4",
            "--publish-every",
            "1",
            "--eval-every",
            "2",
            "--batch-groups",
            "8",
            "--labels",
            "sampled",
            "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    String[] lines = run.out().strip().split("\n");
    JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(j.get("labels").asText()).isEqualTo("sampled");
    assertThat(j.get("steps").asInt()).isEqualTo(4);
    assertThat(j.get("labelledGroups").asInt()).isEqualTo(32);
    assertThat(j.get("versions").asInt()).isEqualTo(4);
    // Evaluations at versions 0, 2 and 4; the average iterate mixes those after version 0.
    JsonNode trace = j.get("trace");
    assertThat(trace.size()).isEqualTo(3);
    double[] mixed = new double[3];
    for (int k = 1; k < 3; k++) {
      for (int i = 0; i < 3; i++) {
        mixed[i] += trace.get(k).get("probabilities").get(i).asDouble() / 2;
      }
    }
    double expected = dev.lodestone.games.Games.rps().exploitability(mixed);
    assertThat(j.get("averageIterateExploitability").asDouble())
        .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(j.get("finalExploitability").asDouble())
        .isEqualTo(trace.get(2).get("exploitability").asDouble());
  }

  @Test
  void shouldRefuseABadLabelMode() {
    CliRun run = CliRun.of("bench", "learner", "--labels", "noisy");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--labels");
  }
}
