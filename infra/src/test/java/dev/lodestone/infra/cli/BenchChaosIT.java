package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lodestone bench chaos} at integration size: every scenario, 2 kills, a 15 s outage, 40 bad
 * records of each kind, a numerical fault every 5 step attempts. Each must pass with nothing lost
 * and nothing twice.
 */
@Tag("integration")
class BenchChaosIT {
  @TempDir Path dir;

  @Test
  void shouldPassEveryScenarioWithNothingLostAndNothingTwice() throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "chaos",
            "--kills",
            "2",
            "--steps",
            "120",
            "--outage-seconds",
            "15",
            "--bad-records",
            "40",
            "--dir",
            dir.toString(),
            "--json");
    String[] lines = run.out().strip().split("\n");
    JsonNode report = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(report.get("scenarios")).hasSize(7);
    for (JsonNode s : report.get("scenarios")) {
      assertThat(s.get("passed").asBoolean()).as("%s: %s", s.get("scenario"), s).isTrue();
      assertThat(s.get("lost").asLong()).as("%s lost", s.get("scenario")).isZero();
      assertThat(s.get("duplicated").asLong()).as("%s duplicated", s.get("scenario")).isZero();
      assertThat(s.get("delivered").asLong()).isEqualTo(s.get("expected").asLong()).isPositive();
    }
    // 120 steps with a fault every 5th attempt: attempts 1-149, of which 5, 10, ..., 145 skipped.
    JsonNode numerical = scenario(report, "numerical").get("details");
    assertThat(numerical.get("skippedSteps").asLong()).isEqualTo(29);
    assertThat(numerical.get("learnerSteps").asLong()).isEqualTo(120);
    assertThat(numerical.get("nonFiniteWeightsInLastVersion").asLong()).isZero();
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  private static JsonNode scenario(JsonNode report, String name) {
    for (JsonNode s : report.get("scenarios")) {
      if (s.get("scenario").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no scenario " + name + " in " + report);
  }
}
