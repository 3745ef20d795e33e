package dev.lodestone.games;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GameFileTest {

  private static final String DESIGN_EXAMPLE =
      """
      {"name": "perturbed-rps",
       "prompt": "Choose your move.",
       "strategies": ["rock", "paper", "scissors"],
       "preferences": [[0.5, 0.0, 1.0], [1.0, 0.5, 0.3333333333], [0.0, 0.6666666667, 0.5]],
       "initial": [0.7, 0.2, 0.1]}
      """;

  @Test
  void shouldReadDesignExample() {
    PreferenceGame g = GameFile.parse(DESIGN_EXAMPLE, "example.json");
    assertThat(g.name()).isEqualTo("perturbed-rps");
    assertThat(g.preference(1, 2)).isEqualTo(0.3333333333);
    assertThat(g.initial().orElseThrow()).containsExactly(0.7, 0.2, 0.1);
    assertThat(NashSolver.solve(g)[0]).isBetween(0.1428, 0.1429);
  }

  @Test
  void shouldRoundTripEveryBuiltIn(@TempDir Path dir) throws Exception {
    for (PreferenceGame g :
        new PreferenceGame[] {Games.rps(), Games.condorcet(), Games.random(12, 5)}) {
      Path file = dir.resolve(g.name().replace(':', '-') + ".json");
      GameFile.write(g, file);
      assertThat(GameFile.read(file)).isEqualTo(g);
    }
  }

  @Test
  void shouldReadGameWithoutInitial() {
    PreferenceGame g =
        GameFile.parse(
            "{\"name\":\"x\",\"prompt\":\"\",\"strategies\":[\"a\",\"b\"],"
                + "\"preferences\":[[0.5,0.9],[0.1,0.5]]}",
            "x.json");
    assertThat(g.initial()).isEmpty();
    assertThat(GameFile.toJson(g)).doesNotContain("initial");
  }

  @Test
  void shouldReportMalformedJsonWithLocation() {
    assertThatThrownBy(() -> GameFile.parse("{\"name\": \"x\", \"prompt\": }", "bad.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith("bad.json: malformed game JSON at line 1, column")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void shouldReportUnknownField() {
    String json = DESIGN_EXAMPLE.replace("\"initial\"", "\"inital\"");
    assertThatThrownBy(() -> GameFile.parse(json, "typo.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage(
            "typo.json: unknown field 'inital' (expected name, prompt, strategies, preferences,"
                + " initial)");
  }

  @Test
  void shouldReportMissingFields() {
    assertThatThrownBy(() -> GameFile.parse("{}", "empty.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("empty.json: field 'name' is missing");
    assertThatThrownBy(
            () -> GameFile.parse("{\"name\":\"x\",\"prompt\":\"p\",\"strategies\":[\"a\"]}", "f"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f: game 'x': field 'preferences' is missing");
    assertThatThrownBy(() -> GameFile.parse("null", "n.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("n.json: the file holds no game (JSON null)");
  }

  @Test
  void shouldReportEveryMissingOrNullPart() {
    String noPrompt =
        "{\"name\":\"x\",\"strategies\":[\"a\",\"b\"],\"preferences\":[[0.5,0.5],[0.5,0.5]]}";
    assertThatThrownBy(() -> GameFile.parse(noPrompt, "f"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f: game 'x': field 'prompt' is missing");
    String noStrategies = "{\"name\":\"x\",\"prompt\":\"p\",\"preferences\":[[0.5,0.5],[0.5,0.5]]}";
    assertThatThrownBy(() -> GameFile.parse(noStrategies, "f"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f: game 'x': field 'strategies' is missing");
    String nullRow =
        "{\"name\":\"x\",\"prompt\":\"p\",\"strategies\":[\"a\",\"b\"],\"preferences\":[[0.5,0.5],null]}";
    assertThatThrownBy(() -> GameFile.parse(nullRow, "f"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f: game 'x': preferences[1] is null, expected a row");
    String nullInitial =
        "{\"name\":\"x\",\"prompt\":\"p\",\"strategies\":[\"a\",\"b\"],"
            + "\"preferences\":[[0.5,0.5],[0.5,0.5]],\"initial\":[1.0,null]}";
    assertThatThrownBy(() -> GameFile.parse(nullInitial, "f"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f: game 'x': initial[1] is null, expected a probability");
    String nullStrategy =
        "{\"name\":\"x\",\"prompt\":\"p\",\"strategies\":[\"a\",null],\"preferences\":[[0.5,0.5],[0.5,0.5]]}";
    assertThatThrownBy(() -> GameFile.parse(nullStrategy, "f"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f: game 'x': strategies[1] must be a non-empty string, got null");
  }

  @Test
  void shouldReportNullCell() {
    String json = DESIGN_EXAMPLE.replace("[1.0, 0.5, 0.3333333333]", "[1.0, null, 0.3333333333]");
    assertThatThrownBy(() -> GameFile.parse(json, "f.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage(
            "f.json: game 'perturbed-rps': preferences[1][1] is null, expected a probability");
  }

  @Test
  void shouldRejectStringWhereNumberBelongs() {
    String json = DESIGN_EXAMPLE.replace("0.6666666667", "\"0.6666666667\"");
    assertThatThrownBy(() -> GameFile.parse(json, "f.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("f.json: preferences[2][1] must be a number at line 4, column 67");
    assertThatThrownBy(() -> GameFile.parse("{\"name\": [\"x\"]}", "g.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("g.json: name must be a string at line 1, column 10");
    assertThatThrownBy(() -> GameFile.parse("[1, 2]", "h.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith("h.json: the game must be a JSON object");
  }

  @Test
  void shouldPrefixValidationErrorsWithTheFile() {
    String json = DESIGN_EXAMPLE.replace("0.6666666667", "0.7");
    assertThatThrownBy(() -> GameFile.parse(json, "f.json"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith(
            "f.json: game 'perturbed-rps': preferences[1][2] + preferences[2][1] = ");
  }

  @Test
  void shouldReportUnreadableFile(@TempDir Path dir) throws Exception {
    Path sub = Files.createDirectory(dir.resolve("a-directory"));
    assertThatThrownBy(() -> GameFile.read(sub))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith("cannot read game file " + sub);
  }
}
