package dev.lodestone.infra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.judge.game.Games;
import dev.lodestone.judge.game.NashSolver;
import dev.lodestone.judge.game.PreferenceGame;
import dev.lodestone.learner.tabular.Algorithm;
import dev.lodestone.learner.tabular.Mpo;
import dev.lodestone.learner.tabular.SolverRunner;
import dev.lodestone.learner.tabular.SolverTrace;
import org.junit.jupiter.api.Test;

/** The LP's Nash equilibrium, as the start and the magnet, is a fixed point of MPO. */
class LpNashFixedPointTest {

  @Test
  void shouldKeepTheLpNashFixedUnderMpo() {
    for (String spec :
        new String[] {"rps", "perturbed-rps", "condorcet", "random:10:1", "random:30:2"}) {
      PreferenceGame g = Games.parse(spec);
      double[] nash = NashSolver.solve(g);
      GameOracle oracle = new GameOracle(g);
      SolverTrace t =
          SolverRunner.run(new Mpo(oracle, nash, Algorithm.MPO.defaults()), oracle, 500);
      assertThat(t.policy()).as(spec).containsExactly(nash, within(1e-9));
      for (double gap : t.gaps()) {
        assertThat(gap).as(spec).isLessThan(1e-9);
      }
    }
  }
}
