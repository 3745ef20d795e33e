package dev.lodestone.infra.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchGamesCommandTest {

  @Test
  void shouldMeasureEveryAlgorithmAndPlotEveryGame(@TempDir Path dir) throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "games",
            "--games",
            "rps,random:5:1",
            "--iters",
            "300",
            "--json",
            "--plot",
            dir.toString());
    assertThat(run.exitCode()).isZero();
    JsonNode j = new ObjectMapper().readTree(run.out());
    assertThat(j.get("iterations").asInt()).isEqualTo(300);
    JsonNode results = j.get("results");
    assertThat(results.size()).isEqualTo(2 * 9); // eight algorithms, OMD twice (last and average)
    assertThat(results.findValuesAsText("algorithm"))
        .containsOnly("mpo", "mpo-path", "mpo-staged", "mmd", "omd", "onpo", "nash-md", "sppo");
    assertThat(results.findValuesAsText("iterate")).contains("last", "average");
    assertThat(j.get("targets").size()).isGreaterThanOrEqualTo(3);
    assertThat(Files.readAllBytes(dir.resolve("games-rps.png"))).startsWith(0x89, 'P', 'N', 'G');
    assertThat(Files.exists(dir.resolve("games-random-5-1.png"))).isTrue();
  }

  @Test
  void shouldPrintATableAndTheTargets() {
    CliRun run = CliRun.of("bench", "games", "--games", "condorcet", "--iters", "2000");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("| condorcet | mpo        |")
        .contains("| condorcet | omd (avg)  |")
        .contains("mpo gap <= 1e-6 within 2000")
        .contains("met on 1 of 1");
  }

  @Test
  void shouldTuneEveryAlgorithmOnTheSameBudgetOutsideTheSuite() throws Exception {
    CliRun run =
        CliRun.of(
            "bench", "games", "--games", "rps", "--algo", "onpo", "--iters", "300", "--tune",
            "--json");
    assertThat(run.exitCode()).isZero();
    JsonNode j = new ObjectMapper().readTree(run.out());
    JsonNode tuning = j.get("tuning");
    assertThat(tuning.get("budget").asInt()).isEqualTo(9);
    assertThat(tuning.get("games").toString()).contains("random:5:101").doesNotContain("\"rps\"");
    JsonNode scores = tuning.get("results").get("onpo").get("gridMeanLog10Gaps");
    assertThat(scores.size()).isEqualTo(9);
    double best = Double.POSITIVE_INFINITY;
    for (JsonNode score : scores) {
      best = Math.min(best, score.asDouble());
    }
    assertThat(tuning.get("results").get("onpo").get("meanLog10Gap").asDouble()).isEqualTo(best);
    // The suite ran with the kept setting, one of the grid's step sizes.
    assertThat(j.get("config").get("onpo").get("eta").asDouble())
        .isIn(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0);
    CliRun both = CliRun.of("bench", "games", "--algo", "onpo", "--tune", "--eta", "1");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("--tune chooses the settings itself");
  }

  @Test
  void shouldReportRandomStarts() throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "games",
            "--games",
            "rps",
            "--algo",
            "mpo",
            "--iters",
            "500",
            "--random-starts",
            "3",
            "--json");
    assertThat(run.exitCode()).isZero();
    JsonNode starts =
        new ObjectMapper().readTree(run.out()).get("results").get(0).get("randomStarts");
    assertThat(starts.get("count").asInt()).isEqualTo(3);
    assertThat(starts.get("settled1e-6").asInt()).isEqualTo(3);
  }

  @Test
  void shouldRejectHyperparametersForSeveralAlgorithms() {
    CliRun run = CliRun.of("bench", "games", "--eta", "2");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo("lodestone bench games: hyperparameter options need exactly one --algo");
  }

  @Test
  void shouldListSubcommandsOfBench() {
    CliRun run = CliRun.of("bench");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("games");
  }
}
