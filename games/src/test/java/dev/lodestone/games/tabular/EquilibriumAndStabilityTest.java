package dev.lodestone.games.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EquilibriumAndStabilityTest {

  private static final WinRateOracle PERTURBED = WinRateOracle.ofMatrix(Fixtures.PERTURBED_RPS);
  private static final double[] NASH = {1.0 / 7, 3.0 / 7, 3.0 / 7};

  @Test
  void shouldKeepNashFixedUnderEveryAlgorithmWithMagnetAtNash() {
    for (Algorithm a : Algorithm.values()) {
      TabularConfig config = a.defaults();
      TabularSolver s = a.create(PERTURBED, NASH, config);
      for (int t = 0; t < 1000; t++) {
        s.step();
      }
      assertThat(s.policy()).as(a.cliName()).containsExactly(NASH, within(1e-12));
    }
  }

  @Test
  void shouldKeepNashFixedInMposSecondStage() {
    // Stage 2 from the first reset on, with the magnet at Nash.
    TabularConfig config =
        Algorithm.MPO_STAGED.defaults().withMagnet(new TabularConfig.MagnetSchedule.Staged(1, 10));
    Mpo mpo = new Mpo(PERTURBED, NASH, config);
    mpo.forceStall();
    for (int t = 0; t < 1000; t++) {
      mpo.step();
    }
    assertThat(mpo.secondStage()).isTrue();
    assertThat(mpo.policy()).containsExactly(NASH, within(1e-12));
    assertThat(mpo.magnet()).containsExactly(NASH, within(1e-12));
  }

  @Test
  void shouldStayAProbabilityVectorAfterAMillionStepsInMposSecondStage() {
    // Stage 2 sets its own steps from the measured scale (eta up to 3.5e5 at the smallest scale).
    TabularConfig config =
        Algorithm.MPO_STAGED.defaults().withMagnet(new TabularConfig.MagnetSchedule.Staged(1, 10));
    Mpo mpo = new Mpo(WinRateOracle.ofMatrix(Fixtures.RPS), new double[] {0.5, 0.3, 0.2}, config);
    mpo.forceStall();
    for (int t = 0; t < 1_000_000; t++) {
      mpo.step();
    }
    assertThat(mpo.secondStage()).isTrue();
    double[] p = mpo.policy();
    for (double v : p) {
      assertThat(v).isNotNaN().isBetween(0.0, 1.0);
    }
    assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void shouldStayAProbabilityVectorAfterAMillionStepsWithEta100() {
    double[] uniformish = {0.5, 0.3, 0.2};
    WinRateOracle rps = WinRateOracle.ofMatrix(Fixtures.RPS);
    for (Algorithm a : Algorithm.values()) {
      TabularConfig config = a.defaults().withEta(100);
      if (a == Algorithm.NASH_MD) {
        config = config.withConstantAlpha(0.01); // eta * beta <= 1
      }
      TabularSolver s = a.create(rps, uniformish, config);
      for (int t = 0; t < 1_000_000; t++) {
        s.step();
      }
      double[] p = s.policy();
      double sum = 0.0;
      for (double v : p) {
        assertThat(v).as(a.cliName()).isNotNaN().isBetween(0.0, 1.0);
        sum += v;
      }
      assertThat(sum).as(a.cliName() + " sums to 1").isCloseTo(1.0, within(1e-12));
      assertThat(s.iterations()).isEqualTo(1_000_000);
      if (s.hasAverage()) {
        double[] avg = new double[3];
        s.averagePolicy(avg);
        assertThat(avg[0] + avg[1] + avg[2]).isCloseTo(1.0, within(1e-12));
      }
    }
  }

  @Test
  void shouldConvergeMpoLastIterateToNashButMmdToABiasedPoint() {
    Mpo mpo = new Mpo(PERTURBED, Fixtures.START, Algorithm.MPO_STAGED.defaults());
    MagneticMirrorDescent mmd =
        new MagneticMirrorDescent(PERTURBED, Fixtures.START, Algorithm.MMD.defaults());
    SolverTrace m = SolverRunner.run(mpo, PERTURBED, 2000);
    SolverTrace f = SolverRunner.run(mmd, PERTURBED, 2000);
    assertThat(m.finalGap()).isLessThan(1e-9);
    assertThat(m.policy()).containsExactly(NASH, within(1e-9));
    // The fixed magnet's regularized equilibrium: stalls, gap well above 0, stationary.
    assertThat(f.finalGap()).isGreaterThan(1e-2);
    assertThat(f.gaps()[1000]).isCloseTo(f.finalGap(), within(1e-12));
  }

  @Test
  void shouldConvergeOmdAverageWhileItsLastIterateDoesNot() {
    MultiplicativeWeights mw =
        new MultiplicativeWeights(PERTURBED, Fixtures.START, Algorithm.OMD.defaults());
    SolverTrace t = SolverRunner.run(mw, PERTURBED, 5000);
    assertThat(t.finalAverageGap()).isLessThan(0.02);
    assertThat(t.finalAverageGap()).isLessThan(t.averageGaps()[500]);
    assertThat(t.finalGap()).isGreaterThan(0.1);
  }

  @Test
  void shouldKeepAWinningZeroStrategyAtZeroThroughTheMagnetLift() {
    // Rock-paper-scissors plus a fourth strategy that wins against the start (r = 0.56) but has
    // probability zero: the lift raises winning strategies in the magnet, never one out of play,
    // and neither the MMD step nor the extrapolation brings it into the policy.
    WinRateOracle game =
        WinRateOracle.ofMatrix(
            new double[][] {
              {0.5, 0.0, 1.0, 0.4}, {1.0, 0.5, 0.0, 0.6}, {0.0, 1.0, 0.5, 0.6}, {0.6, 0.4, 0.4, 0.5}
            });
    double[] start = {0.8, 0.1, 0.1, 0.0};
    Mpo mpo = new Mpo(game, start, Fixtures.mpo(1, 1, 1).withMagnetLift(10));
    PathMpo path =
        new PathMpo(
            game,
            start,
            Algorithm.MPO_PATH
                .defaults()
                .withMagnet(new TabularConfig.MagnetSchedule.Path(0.7, 0.9, 40)));
    for (int t = 0; t < 200; t++) {
      mpo.step();
      path.step();
      assertThat(mpo.magnet()[3]).isEqualTo(0.0);
      assertThat(path.magnet()[3]).isEqualTo(0.0);
    }
    assertThat(mpo.policy()[3]).isEqualTo(0.0);
    assertThat(path.policy()[3]).isEqualTo(0.0);
    assertThat(path.proximal()).isTrue();
  }

  @Test
  void shouldKeepZeroStartEntriesAtZero() {
    double[] face = {0.0, 0.5, 0.5};
    for (Algorithm a : Algorithm.values()) {
      TabularSolver s = a.create(PERTURBED, face, a.defaults());
      for (int t = 0; t < 100; t++) {
        s.step();
      }
      double[] p = s.policy();
      assertThat(p[0]).as(a.cliName()).isEqualTo(0.0);
      assertThat(p[1] + p[2]).isCloseTo(1.0, within(1e-12));
    }
  }
}
