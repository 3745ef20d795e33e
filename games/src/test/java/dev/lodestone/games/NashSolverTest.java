package dev.lodestone.games;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NashSolverTest {

  @Test
  void shouldSolvePerturbedRpsExactly() {
    assertThat(NashSolver.solve(Games.perturbedRps()))
        .containsExactly(new double[] {1.0 / 7, 3.0 / 7, 3.0 / 7}, within(1e-12));
  }

  @Test
  void shouldSolveRpsAndCondorcetUniformly() {
    double third = 1.0 / 3;
    assertThat(NashSolver.solve(Games.rps()))
        .containsExactly(new double[] {third, third, third}, within(1e-12));
    assertThat(NashSolver.solve(Games.condorcet()))
        .containsExactly(new double[] {third, third, third}, within(1e-12));
  }

  @Test
  void shouldFindPureEquilibriumOfTransitiveGame() {
    // b beats a and c; a beats c: b is a Condorcet winner.
    PreferenceGame g =
        new PreferenceGame(
            "transitive",
            "p",
            List.of("a", "b", "c"),
            new double[][] {{0.5, 0.2, 0.8}, {0.8, 0.5, 0.9}, {0.2, 0.1, 0.5}},
            null);
    assertThat(NashSolver.solve(g)).containsExactly(new double[] {0, 1, 0}, within(1e-12));
  }

  @Test
  void shouldSolveRandomGamesToZeroGap() {
    for (int n : new int[] {5, 10, 30, 50}) {
      for (long seed = 1; seed <= 3; seed++) {
        PreferenceGame g = Games.random(n, seed);
        double[] x = NashSolver.solve(g);
        assertThat(g.gap(x)).as(g.name()).isLessThanOrEqualTo(1e-12);
        assertThat(java.util.Arrays.stream(x).sum()).isCloseTo(1.0, within(1e-12));
      }
    }
  }
}
