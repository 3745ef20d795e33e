package dev.lodestone.infra.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lodestone.infra.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lodestone bench algorithms} on a budget of a few steps: the real learner, warm-up model
 * and oracle; the figures themselves are the benchmark's, not the test's.
 */
class BenchAlgorithmsCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldRunEveryRowOnTheSameBudgetAndResumeFromItsFile(@TempDir Path dir) throws Exception {
    Path runs = dir.resolve("runs.jsonl");
    String[] args = {
      "bench",
      "algorithms",
      "--algos",
      "mpo,egpo",
      "--variant",
      "mpo-no-trust-region=--algo mpo --max-log-ratio 0",
      "--tasks",
      "shared-prefix",
      "--labels",
      "sampled",
      "--seeds",
      "2",
      "--groups",
      "128",
      "--eval-every",
      "1",
      "--out",
      runs.toString(),
      "--plot",
      dir.resolve("algorithms.png").toString(),
      "--json"
    };
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(runs);
    assertThat(lines).hasSize(3 * 2);
    for (String line : lines) {
      JsonNode r = JSON.readTree(line);
      assertThat(r.get("labelledGroups").asLong()).isEqualTo(128); // 2 steps of 64 groups
      assertThat(r.get("labels").asText()).isEqualTo("sampled");
      assertThat(r.get("task").asText()).isEqualTo("shared-prefix");
      assertThat(r.get("finalExploitability").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(lines.stream().map(l -> l.contains("\"maxLogRatio\":0.0")).toList())
        .containsExactly(false, false, false, false, true, true);
    String[] lastLine = run.out().strip().split("\n");
    JsonNode summary = JSON.readTree(lastLine[lastLine.length - 1]);
    JsonNode cells = summary.get("cells");
    assertThat(cells.size()).isEqualTo(3);
    assertThat(cells.findValuesAsText("algorithm"))
        .containsExactly("mpo", "egpo", "mpo-no-trust-region");
    JsonNode mpo = cells.get(0);
    double a = mpo.get("last").get(0).asDouble();
    double b = mpo.get("last").get(1).asDouble();
    assertThat(mpo.get("lastMean").asDouble())
        .isCloseTo((a + b) / 2, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(run.out()).contains("shared-prefix/sampled").contains("mpo-no-trust-region");
    assertThat(Files.readAllBytes(dir.resolve("algorithms.png"))).startsWith(0x89, 'P', 'N', 'G');

    // A second call finds every run in the file and runs none again.
    CliRun again = CliRun.of(args);
    assertThat(again.exitCode()).isZero();
    assertThat(Files.readAllLines(runs)).hasSize(6);
    assertThat(again.err()).contains("6 runs already in");
    // A lag is another run: the same rows with --lag 1 run again, and say so in their lines.
    String[] lagged = java.util.Arrays.copyOf(args, args.length + 2);
    lagged[args.length] = "--lag";
    lagged[args.length + 1] = "1";
    CliRun withLag = CliRun.of(lagged);
    assertThat(withLag.exitCode()).as(withLag.err()).isZero();
    List<String> all = Files.readAllLines(runs);
    assertThat(all).hasSize(12);
    assertThat(all.subList(6, 12)).allMatch(l -> l.contains("\"lag\":1"));
    String[] againLines = again.out().strip().split("\n");
    assertThat(JSON.readTree(againLines[againLines.length - 1]).get("cells")).isEqualTo(cells);
  }

  @Test
  void shouldRefuseRowsWhoseOptionsTheAlgorithmDoesNotRead(@TempDir Path dir) {
    CliRun run =
        CliRun.of(
            "bench",
            "algorithms",
            "--algos",
            "mpo",
            "--variant",
            "omd-alpha=--algo omd --alpha 0.2",
            "--out",
            dir.resolve("r.jsonl").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--alpha does not apply to --algo omd");
    CliRun bad =
        CliRun.of(
            "bench",
            "algorithms",
            "--variant",
            "no-equals",
            "--out",
            dir.resolve("r.jsonl").toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--variant must be NAME=OPTIONS");
    CliRun nothing =
        CliRun.of(
            "bench", "algorithms", "--algos", "none", "--out", dir.resolve("r.jsonl").toString());
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains("--algos none needs at least one --variant");
    assertThat(Files.exists(dir.resolve("r.jsonl"))).isFalse();
  }

  @Test
  void shouldRunOnlyTheVariantsWithAlgosNone(@TempDir Path dir) throws Exception {
    Path runs = dir.resolve("runs.jsonl");
    CliRun run =
        CliRun.of(
            "bench",
            "algorithms",
            "--algos",
            "none",
            "--variant",
            "mpo-beta=--algo mpo --adam-beta1 0.9",
            "--tasks",
            "rps",
            "--seeds",
            "1",
            "--labels",
            "exact",
            "--groups",
            "64",
            "--out",
            runs.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(runs);
    assertThat(lines).hasSize(1);
    assertThat(JSON.readTree(lines.get(0)).get("row").asText()).isEqualTo("mpo-beta");
  }

  @Test
  void shouldTuneOnOtherGamesAndKeepTheBestSetting(@TempDir Path dir) throws Exception {
    CliRun run =
        CliRun.of(
            "bench",
            "algorithms",
            "--algos",
            "online-ipo",
            "--tune",
            "--tune-tasks",
            "random:4:101",
            "--tasks",
            "rps",
            "--labels",
            "exact",
            "--seeds",
            "1",
            "--groups",
            "64",
            "--out",
            dir.resolve("runs.jsonl").toString(),
            "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    String[] lines = run.out().strip().split("\n");
    JsonNode summary = JSON.readTree(lines[lines.length - 1]);
    JsonNode tuned = summary.get("tuning").get("online-ipo");
    JsonNode grid = tuned.get("grid");
    assertThat(grid.size()).isEqualTo(3);
    double best = Double.POSITIVE_INFINITY;
    String bestOptions = null;
    for (JsonNode g : grid) {
      if (g.get("meanFinalExploitability").asDouble() < best) {
        best = g.get("meanFinalExploitability").asDouble();
        bestOptions = g.get("options").asText();
      }
    }
    assertThat(tuned.get("chosen").asText()).isEqualTo(bestOptions);
    assertThat(summary.get("cells").get(0).get("options").asText()).isEqualTo(bestOptions);
    // Three tuning runs on random:4:101, then the reported one on rps.
    List<String> runs = Files.readAllLines(dir.resolve("runs.jsonl"));
    assertThat(runs).hasSize(4);
    assertThat(runs.subList(0, 3)).allMatch(l -> l.contains("\"task\":\"random:4:101\""));
    assertThat(runs.get(3)).contains("\"task\":\"rps\"");
  }

  @Test
  void shouldSweepThreeSettingsOfEachAlgorithmsOwnParameter() {
    for (String algo : List.of("mpo", "omd", "sppo", "onpo", "nash-md")) {
      List<List<String>> grid =
          BenchAlgorithmsCommand.sweep(
              new BenchAlgorithmsCommand.Entry(algo, List.of("--algo", algo), true));
      assertThat(grid).hasSize(3);
      assertThat(grid).allMatch(o -> o.contains("--eta"));
    }
    for (String algo : List.of("online-dpo", "online-ipo", "egpo")) {
      List<List<String>> grid =
          BenchAlgorithmsCommand.sweep(
              new BenchAlgorithmsCommand.Entry(algo, List.of("--algo", algo), true));
      assertThat(grid).hasSize(3);
      assertThat(grid).allMatch(o -> o.contains("--alpha") && !o.contains("--eta"));
    }
  }
}
