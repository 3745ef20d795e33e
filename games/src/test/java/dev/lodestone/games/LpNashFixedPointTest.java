package dev.lodestone.games;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.games.tabular.Algorithm;
import dev.lodestone.games.tabular.SolverRunner;
import dev.lodestone.games.tabular.SolverTrace;
import dev.lodestone.games.tabular.TabularSolver;
import dev.lodestone.games.tabular.WinRateOracle;
import org.junit.jupiter.api.Test;

/**
 * The LP's Nash equilibrium, as the start and the magnet, is a fixed point of MPO: of its default
 * (the path schedule) and of the reset schedules' defaults.
 */
class LpNashFixedPointTest {

  @Test
  void shouldKeepTheLpNashFixedUnderMpo() {
    for (String spec :
        new String[] {"rps", "perturbed-rps", "condorcet", "random:10:1", "random:30:2"}) {
      PreferenceGame g = Games.parse(spec);
      double[] nash = NashSolver.solve(g);
      WinRateOracle oracle = g;
      for (TabularSolver solver :
          new TabularSolver[] {
            Algorithm.MPO.create(oracle, nash, Algorithm.MPO.defaults()),
            Algorithm.MPO_PATH.create(oracle, nash, Algorithm.MPO_PATH.defaults()),
            Algorithm.MPO_STAGED.create(oracle, nash, Algorithm.MPO_STAGED.defaults())
          }) {
        SolverTrace t = SolverRunner.run(solver, oracle, 500);
        String what = spec + " " + solver.algorithm().cliName();
        assertThat(t.policy()).as(what).containsExactly(nash, within(1e-9));
        for (double gap : t.gaps()) {
          assertThat(gap).as(what).isLessThan(1e-9);
        }
      }
    }
  }
}
