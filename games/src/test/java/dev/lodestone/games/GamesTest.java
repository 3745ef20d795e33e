package dev.lodestone.games;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GamesTest {

  @Test
  void shouldResolveBuiltIns() {
    assertThat(Games.parse("rps").name()).isEqualTo("rps");
    assertThat(Games.parse("perturbed-rps").strategies())
        .containsExactly("rock", "paper", "scissors");
    assertThat(Games.parse("condorcet").strategies()).containsExactly("alice", "bob", "carol");
    assertThat(Games.parse(" random:7:3 ").name()).isEqualTo("random:7:3");
  }

  @Test
  void shouldGiveEveryBuiltInAPromptAndASkewedInitial() {
    for (PreferenceGame g :
        List.of(Games.rps(), Games.perturbedRps(), Games.condorcet(), Games.random(10, 1))) {
      assertThat(g.prompt()).isNotBlank();
      double[] init = g.initial().orElseThrow();
      assertThat(g.gap(init)).as(g.name() + " initial is far from Nash").isGreaterThan(0.15);
      assertThat(new HashSet<>(g.strategies().stream().map(s -> s.charAt(0)).toList()))
          .as("distinct first characters")
          .hasSize(g.size());
      assertThat(g.strategies()).allMatch(s -> s.chars().allMatch(c -> c >= 33 && c < 127));
    }
    assertThat(Games.perturbedRps().initial().orElseThrow()).containsExactly(0.7, 0.2, 0.1);
  }

  @Test
  void shouldMakeSharedPrefixPerturbedRpsTimesCyclicManners() {
    PreferenceGame g = Games.parse("shared-prefix");
    assertThat(g.size()).isEqualTo(9);
    assertThat(g.strategies())
        .startsWith("rock slow", "rock soft", "rock sure", "paper slow")
        .endsWith("scissors sure");
    // Different moves play perturbed-rps; equal moves the manners' cycle.
    assertThat(g.judge("paper slow", "scissors sure")).isCloseTo(1.0 / 3.0, within(1e-12));
    assertThat(g.judge("rock slow", "rock soft")).isCloseTo(2.0 / 3.0, within(1e-12));
    assertThat(g.judge("rock sure", "rock slow")).isCloseTo(2.0 / 3.0, within(1e-12));
    double[] nash = new double[9];
    double[] moves = {1.0 / 7, 3.0 / 7, 3.0 / 7};
    for (int i = 0; i < 9; i++) {
      nash[i] = moves[i / 3] / 3;
    }
    assertThat(g.gap(nash)).isCloseTo(0.0, within(1e-12));
    assertThat(g.gap(NashSolver.solve(g))).isLessThan(1e-6);
    assertThat(g.gap(g.initial().orElseThrow())).isGreaterThan(0.15);
    // A decision spans several tokens: the manners of one move differ at the second letter.
    assertThat(g.strategies().get(0).substring(0, 6))
        .isEqualTo(g.strategies().get(1).substring(0, 6));
  }

  @Test
  void shouldMakeCondorcetTheThreeVoterMajorityCycle() {
    PreferenceGame g = Games.condorcet();
    // Rankings a>b>c, b>c>a, c>a>b: two voters of three rank alice over bob, bob over carol,
    // carol over alice.
    assertThat(g.preference(0, 1)).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(g.preference(1, 2)).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(g.preference(2, 0)).isCloseTo(2.0 / 3, within(1e-15));
  }

  @Test
  void shouldReproduceRandomGamesFromTheSeed() {
    PreferenceGame a = Games.random(10, 42);
    PreferenceGame b = Games.parse("random:10:42");
    assertThat(a).isEqualTo(b);
    assertThat(Games.random(10, 43)).isNotEqualTo(a);
    // The first draw of SplitMix64 from seed 1 is 0x910a2dec89025cc1 (the published reference
    // stream), so P[0][1] of random:N:1 is its top 53 bits over 2^53 unless that draw was rejected.
    long first = new Games.SplitMix64(1).nextLong();
    assertThat(first).isEqualTo(0x910a2dec89025cc1L);
    assertThat(Games.random(5, 1).preference(0, 1)).isEqualTo((first >>> 11) * 0x1.0p-53);
  }

  @Test
  void shouldMakeRandomGamesIntransitive() {
    for (int n : new int[] {3, 4, 5, 10, 30}) {
      for (long seed = 0; seed < 20; seed++) {
        PreferenceGame g = Games.random(n, seed);
        for (int i = 0; i < n; i++) {
          boolean beaten = false;
          for (int j = 0; j < n; j++) {
            beaten |= j != i && g.preference(j, i) > 0.5;
          }
          assertThat(beaten).as("%s: strategy %d is beaten by some other", g.name(), i).isTrue();
        }
        double[] nash = NashSolver.solve(g);
        long support = java.util.Arrays.stream(nash).filter(x -> x > 1e-9).count();
        assertThat(support).as(g.name() + " Nash support").isGreaterThanOrEqualTo(3);
      }
    }
  }

  @Test
  void shouldNameRandomStrategiesShortAndUnique() {
    assertThat(Games.random(5, 1).strategies()).containsExactly("a", "b", "c", "d", "e");
    assertThat(Games.random(62, 1).strategies().get(61)).isEqualTo("9");
    List<String> big = Games.random(100, 1).strategies();
    assertThat(new HashSet<>(big)).hasSize(100);
    assertThat(big).allMatch(s -> s.length() == 2);
  }

  @Test
  void shouldRejectUnknownGame() {
    assertThatThrownBy(() -> Games.parse("chess"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage(
            "unknown game 'chess': expected rps, perturbed-rps, shared-prefix, condorcet,"
                + " random:N:SEED or game:PATH");
    assertThatThrownBy(() -> Games.parse(""))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageStartingWith("no game given");
  }

  @Test
  void shouldRejectBadRandomSpecs() {
    assertThatThrownBy(() -> Games.parse("random:10"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("random game 'random:10' must be random:N:SEED, for example random:10:1");
    assertThatThrownBy(() -> Games.parse("random:ten:1"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("random game 'random:ten:1': N = 'ten' is not an integer");
    assertThatThrownBy(() -> Games.parse("random:10:x"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("random game 'random:10:x': SEED = 'x' is not an integer");
    assertThatThrownBy(() -> Games.parse("random:2:1"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("random game 'random:2:1': N = 2 is outside [3, 1000]");
    assertThatThrownBy(() -> Games.parse("random:1001:1"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessageContaining("N = 1001 is outside");
  }

  @Test
  void shouldReportMissingGameFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> Games.parse("game:" + missing))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game file not found: " + missing);
    assertThatThrownBy(() -> Games.parse("game:"))
        .isInstanceOf(InvalidGameException.class)
        .hasMessage("game:PATH needs a path, got 'game:'");
  }

  @Test
  void shouldLoadGameFileThroughSpec(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prps.json");
    GameFile.write(Games.perturbedRps(), file);
    assertThat(Games.parse("game:" + file)).isEqualTo(Games.perturbedRps());
  }
}
