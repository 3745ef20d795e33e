package dev.lodestone.infra.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RunSummary summary(double exploitability) {
    TaskSetup task = TaskSetup.of("perturbed-rps");
    return new RunSummary(
        "perturbed-rps",
        "mpo",
        120,
        30,
        3,
        exploitability,
        Map.of("rock", 0.2),
        task.nash(),
        12.5,
        0.75,
        "0".repeat(64));
  }

  @Test
  void shouldWritePlotsCsvAndSummaryOfTheEvaluations() throws Exception {
    Path dir = Files.createTempDirectory("report-test").resolve("nested");
    List<EvalPoint> points = new ArrayList<>();
    for (int v = 0; v <= 10; v++) {
      double rock = 0.7 - 0.05 * v;
      points.add(
          new EvalPoint(
              4L * v,
              v,
              v == 10 ? 0.0 : 0.3 / (v + 1),
              0.5,
              0.01,
              Map.of("rock", rock, "paper", 0.2 + 0.03 * v, "scissors", 0.09 + 0.02 * v)));
    }
    com.fasterxml.jackson.databind.node.ObjectNode details = JSON.createObjectNode();
    details.put("modelId", "m");
    List<Path> files =
        RunReport.write(dir, summary(0.01), details, points, List.of("rock", "paper", "scissors"));

    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("evaluations.csv", "summary.json", "exploitability.png", "strategies.png");
    for (String png : List.of("exploitability.png", "strategies.png")) {
      var image = ImageIO.read(dir.resolve(png).toFile());
      assertThat(image.getWidth()).isEqualTo(960);
      assertThat(image.getHeight()).isEqualTo(600);
    }
    List<String> csv = Files.readAllLines(dir.resolve("evaluations.csv"));
    assertThat(csv).hasSize(12);
    assertThat(csv.get(0))
        .isEqualTo(
            "step,policyVersion,exploitability,winRateVsInitial,invalidMass,prob:rock,prob:paper,prob:scissors");
    assertThat(csv.get(11)).startsWith("40,10,0.00000,0.500000,0.0100000,0.200000,");

    JsonNode j = JSON.readTree(dir.resolve("summary.json").toFile());
    assertThat(j.get("task").asText()).isEqualTo("perturbed-rps");
    assertThat(j.get("exploitability").asDouble()).isEqualTo(0.01);
    assertThat(j.get("nash").get("paper").asDouble()).isCloseTo(3.0 / 7, within(1e-9));
    assertThat(j.get("details").get("modelId").asText()).isEqualTo("m");
  }

  @Test
  void shouldWriteOnlyCsvAndSummaryWithoutEvaluationsAndNullForNaN(@TempDir Path dir)
      throws Exception {
    List<Path> files =
        RunReport.write(
            dir,
            summary(Double.NaN),
            JSON.createObjectNode(),
            List.of(),
            List.of("rock", "paper", "scissors"));
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("evaluations.csv", "summary.json");
    JsonNode j = JSON.readTree(dir.resolve("summary.json").toFile());
    assertThat(j.get("exploitability").isNull()).isTrue();
  }

  @Test
  void jsonLineShouldHoldTheDocumentedKeysInOrder() throws Exception {
    JsonNode j = JSON.readTree(summary(0.02).toJsonLine());
    List<String> keys = new ArrayList<>();
    j.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            "task",
            "algorithm",
            "steps",
            "policyVersion",
            "magnetVersion",
            "exploitability",
            "strategies",
            "nash",
            "groupsPerSecond",
            "meanStalenessVersions",
            "sha256");
    assertThat(j.get("steps").asLong()).isEqualTo(120);
    assertThat(j.get("sha256").asText()).isEqualTo("0".repeat(64));
    assertThat(j.get("nash").get("rock").asDouble()).isCloseTo(1.0 / 7, within(1e-9));
  }
}
