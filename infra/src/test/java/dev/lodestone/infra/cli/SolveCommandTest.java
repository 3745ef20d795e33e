package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SolveCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldPrintOneJsonObjectWithPolicyNashAndItersTo() throws Exception {
    CliRun run = CliRun.of("solve", "--game", "perturbed-rps", "--algo", "mpo", "--json");
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out().strip().lines()).hasSize(1);
    JsonNode j = JSON.readTree(run.out());
    assertThat(j.get("game").asText()).isEqualTo("perturbed-rps");
    assertThat(j.get("algorithm").asText()).isEqualTo("mpo");
    assertThat(j.get("iterations").asInt()).isEqualTo(20000);
    assertThat(j.get("finalGap").asDouble()).isLessThan(1e-12);
    double[] nash = {1.0 / 7, 3.0 / 7, 3.0 / 7};
    for (int i = 0; i < 3; i++) {
      assertThat(j.get("nash").get(i).asDouble()).isCloseTo(nash[i], within(1e-12));
      assertThat(j.get("policy").get(i).asDouble()).isCloseTo(nash[i], within(1e-12));
    }
    JsonNode itersTo = j.get("itersTo");
    assertThat(itersTo.get("1e-3").isInt()).isTrue();
    assertThat(itersTo.get("1e-6").asInt())
        .isGreaterThanOrEqualTo(itersTo.get("1e-3").asInt())
        .isLessThanOrEqualTo(2000);
    assertThat(j.has("averageGap")).isFalse();
    assertThat(j.get("strategies").get(0).asText()).isEqualTo("rock");
  }

  @Test
  void shouldReportAverageIterateForOmdAndNullForThresholdsNotReached() throws Exception {
    CliRun run = CliRun.of("solve", "--game", "rps", "--algo", "omd", "--iters", "3000", "--json");
    assertThat(run.exitCode()).isZero();
    JsonNode j = JSON.readTree(run.out());
    assertThat(j.get("averageGap").asDouble()).isLessThan(j.get("finalGap").asDouble());
    assertThat(j.get("itersTo").get("1e-6").isNull()).isTrue();
    assertThat(j.get("averageItersTo").has("1e-3")).isTrue();
    assertThat(j.get("averagePolicy").size()).isEqualTo(3);
  }

  @Test
  void shouldApplyHyperparameterOptions() throws Exception {
    JsonNode config = configOf("--eta", "2", "--alpha", "0.05", "--magnet-every", "10");
    assertThat(config.get("eta").asDouble()).isEqualTo(2.0);
    assertThat(config.get("alpha").asDouble()).isEqualTo(0.05);
    assertThat(config.get("alphaRule").asText()).isEqualTo("constant");
    assertThat(config.get("magnet").asText()).isEqualTo("every 10");
    assertThat(config.get("magnetLift").asDouble()).isEqualTo(0.0);
    // mpo's defaults are the paper's algorithm: MMD steps, a reset every 20, no lift.
    JsonNode defaults = configOf();
    assertThat(defaults.get("magnet").asText()).isEqualTo("every 20");
    assertThat(defaults.get("eta").asDouble()).isEqualTo(1.0);
    assertThat(defaults.get("alpha").asDouble()).isEqualTo(0.1);
    assertThat(defaults.get("magnetLift").asDouble()).isEqualTo(0.0);
  }

  @Test
  void shouldGiveEachMpoSolverItsOwnDefaultsAndNeverChangeOthers() throws Exception {
    JsonNode staged = configOf("--algo", "mpo-staged");
    assertThat(staged.get("eta").asDouble()).isEqualTo(1000.0);
    assertThat(staged.get("alphaRule").asText()).startsWith("scale-matched(");
    assertThat(staged.get("magnet").asText()).startsWith("staged(");
    assertThat(staged.get("magnetLift").asDouble()).isEqualTo(10.0);
    JsonNode gain = configOf("--algo", "mpo-staged", "--max-log-gain", "2");
    assertThat(gain.get("alphaRule").asText()).contains("maxLogGain 2.0");
    assertThat(gain.get("eta").asDouble()).isEqualTo(1000.0);
    JsonNode path = configOf("--algo", "mpo-path", "--alpha", "0.2", "--eta", "3");
    assertThat(path.get("alpha").asDouble()).isEqualTo(0.2);
    assertThat(path.get("eta").asDouble()).isEqualTo(3.0);
    assertThat(path.get("magnet").asText()).startsWith("path(");
    // A schedule option of mpo changes the schedule only.
    JsonNode every = configOf("--magnet-every", "3");
    assertThat(every.get("eta").asDouble()).isEqualTo(1.0);
    assertThat(every.get("alpha").asDouble()).isEqualTo(0.1);
    assertThat(every.get("magnetLift").asDouble()).isEqualTo(0.0);
    assertThat(every.get("magnet").asText()).isEqualTo("every 3");
  }

  /** The {@code config} object of {@code solve --game rps --iters 10 --json} with the options. */
  private static JsonNode configOf(String... options) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("solve", "--game", "rps", "--iters", "10", "--json"));
    args.addAll(List.of(options));
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).isZero();
    return JSON.readTree(run.out()).get("config");
  }

  @Test
  void shouldResolveRandomGameFromSeedOption() throws Exception {
    CliRun run = CliRun.of("solve", "--game", "random:5", "--seed", "2", "--iters", "10", "--json");
    assertThat(run.exitCode()).isZero();
    assertThat(JSON.readTree(run.out()).get("game").asText()).isEqualTo("random:5:2");
  }

  @Test
  void shouldExitWithOneLineForUnknownGame() {
    CliRun run = CliRun.of("solve", "--game", "chess", "--json");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip())
        .isEqualTo(
            "lodestone solve: unknown game 'chess': expected rps, perturbed-rps, shared-prefix,"
                + " condorcet, random:N:SEED or game:PATH");
  }

  @Test
  void shouldExitWithOneLineForMalformedGameFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"name\": \"x\", \"strategies\": [\"a\", \"b\"");
    CliRun run = CliRun.of("solve", "--game", "game:" + file);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).startsWith("lodestone solve: " + file + ": malformed game JSON");
  }

  @Test
  void shouldExitWithOneLineForInvalidGameFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("asym.json");
    Files.writeString(
        file,
        "{\"name\":\"x\",\"prompt\":\"p\",\"strategies\":[\"a\",\"b\"],"
            + "\"preferences\":[[0.5,0.9],[0.2,0.5]]}");
    CliRun run = CliRun.of("solve", "--game", "game:" + file);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .isEqualTo(
            "lodestone solve: "
                + file
                + ": game 'x': preferences[0][1] + preferences[1][0] = 0.9 + 0.2 ="
                + " 1.1, must be 1 within 1.0E-9");
  }

  @Test
  void shouldExitWithOneLineForBadOptions() {
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--iters", "abc"),
        "lodestone solve: Invalid value for option '--iters': 'abc' is not an int");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "dpo"),
        "lodestone solve: --algo: unknown algorithm 'dpo': expected one of mpo, mpo-path,"
            + " mpo-staged, mmd, omd, onpo, nash-md, sppo");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "omd", "--magnet-every", "3"),
        "lodestone solve: --magnet-every applies to mpo only (mmd keeps its magnet fixed;"
            + " mpo-path and mpo-staged have their own schedules)");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "mpo-staged", "--alpha", "0.1"),
        "lodestone solve: --alpha does not apply to mpo-staged, which matches alpha to the"
            + " game's scale (--scale-ratio, --scale-decay, --max-log-gain)");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--alpha", "auto"),
        "lodestone solve: Invalid value for option '--alpha': 'auto' is not a double");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--scale-decay", "0.5"),
        "lodestone solve: --scale-ratio, --scale-decay and --max-log-gain apply to mpo-staged"
            + " only");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--magnet-every", "often"),
        "lodestone solve: --magnet-every must be a number of steps or auto, got 'often'");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "mmd", "--magnet-lift", "10"),
        "lodestone solve: --magnet-lift applies to mpo-path and mpo-staged (the paper's mpo has"
            + " no lift)");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--magnet-lift", "1"),
        "lodestone solve: --magnet-lift applies to mpo-path and mpo-staged (the paper's mpo has"
            + " no lift)");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "mpo-path", "--magnet-lift", "-1"),
        "lodestone solve: --magnet-lift: magnet lift must be finite and >= 0 (0: off), got -1.0");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "onpo", "--alpha", "0.1"),
        "lodestone solve: --alpha applies to mpo, mpo-path, mmd and nash-md, not onpo");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--eta", "-1"),
        "lodestone solve: --eta: eta must be finite and > 0, got -1.0");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--seed", "3"),
        "lodestone solve: --seed is used only by --game random:N and --start random");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--algo", "nash-md", "--eta", "50"),
        "lodestone solve: nash-md needs eta * alpha <= 1 (the mixture weight of the reference),"
            + " got eta 50.0 * alpha 0.1 = 5.0");
    assertOneLineError(
        CliRun.of("solve", "--game", "rps", "--bogus"),
        "lodestone solve: Unknown option: '--bogus'");
  }

  private static void assertOneLineError(CliRun run, String line) {
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip()).isEqualTo(line);
  }

  @Test
  void shouldWritePlot(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("plots/gap.png");
    CliRun run =
        CliRun.of(
            "solve", "--game", "rps", "--algo", "omd", "--iters", "500", "--plot", png.toString());
    assertThat(run.exitCode()).isZero();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
    assertThat(run.out()).contains("average gap");
  }
}
