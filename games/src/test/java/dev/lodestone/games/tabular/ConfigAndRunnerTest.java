package dev.lodestone.games.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ConfigAndRunnerTest {

  private static final WinRateOracle RPS = WinRateOracle.ofMatrix(Fixtures.RPS);

  @Test
  void shouldValidateConfig() {
    TabularConfig.MagnetSchedule never = new TabularConfig.MagnetSchedule.Never();
    TabularConfig.AlphaRule constant = new TabularConfig.AlphaRule.Constant();
    assertThatThrownBy(() -> new TabularConfig(0, 0.1, never, constant))
        .hasMessage("eta must be finite and > 0, got 0.0");
    assertThatThrownBy(() -> new TabularConfig(Double.NaN, 0.1, never, constant))
        .hasMessage("eta must be finite and > 0, got NaN");
    assertThatThrownBy(() -> new TabularConfig(1, -0.1, never, constant))
        .hasMessage("alpha must be finite and >= 0, got -0.1");
    assertThatThrownBy(() -> new TabularConfig(1, 0.1, null, constant))
        .hasMessage("magnet schedule must not be null");
    assertThatThrownBy(() -> new TabularConfig(1, 0.1, never, null))
        .hasMessage("alpha rule must not be null");
    assertThatThrownBy(() -> new TabularConfig(1, 0.1, never, constant, -1))
        .hasMessage("magnet lift must be finite and >= 0 (0: off), got -1.0");
    assertThatThrownBy(() -> new TabularConfig(1, 0.1, never, constant, Double.POSITIVE_INFINITY))
        .hasMessage("magnet lift must be finite and >= 0 (0: off), got Infinity");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.Every(0))
        .hasMessage("magnet period must be >= 1 step, got 0");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.WhenConverged(1.0, 2, 10))
        .hasMessage("reset tolerance must be in (0, 1), got 1.0");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.WhenConverged(0.1, 1, 10))
        .hasMessage("reset minSteps must be >= 2, got 1");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.WhenConverged(0.1, 5, 4))
        .hasMessage("reset maxSteps must be >= minSteps (5), got 4");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.Staged(0, 10))
        .hasMessage("stall phases must be >= 1, got 0");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.Staged(30, 0))
        .hasMessage("scale window must be >= 1 phase, got 0");
    assertThatThrownBy(() -> new TabularConfig.AlphaRule.ScaleMatched(0, 0.7, 1, 1e-3, 1))
        .hasMessage("scale ratio must be in (0, 4], got 0.0");
    assertThatThrownBy(() -> new TabularConfig.AlphaRule.ScaleMatched(1, 1.5, 1, 1e-3, 1))
        .hasMessage("scale decay must be in (0, 1], got 1.5");
    assertThatThrownBy(() -> new TabularConfig.AlphaRule.ScaleMatched(1, 0.7, -1, 1e-3, 1))
        .hasMessage("maxLogGain must be finite and >= 0 (0: no trust region), got -1.0");
    assertThatThrownBy(() -> new TabularConfig.AlphaRule.ScaleMatched(1, 0.7, 1, 0, 1))
        .hasMessage("alpha min must be finite and > 0, got 0.0");
    assertThatThrownBy(() -> new TabularConfig.AlphaRule.ScaleMatched(1, 0.7, 1, 0.5, 0.1))
        .hasMessage("alpha max must be finite and >= min (0.5), got 0.1");
  }

  @Test
  void shouldRejectBadStartsAndMpoWithoutResets() {
    TabularConfig c = Fixtures.config(1, 0.1);
    assertThatThrownBy(() -> new MultiplicativeWeights(RPS, new double[] {0.5, 0.5}, c))
        .hasMessage("start has 2 entries, the game has 3 strategies");
    assertThatThrownBy(() -> new MultiplicativeWeights(RPS, new double[] {0.5, 0.6, -0.1}, c))
        .hasMessage("start[2] = -0.1 must be a finite non-negative probability");
    assertThatThrownBy(() -> new MultiplicativeWeights(RPS, new double[] {0.5, 0.6, 0.1}, c))
        .hasMessageStartingWith("start sums to 1.2");
    assertThatThrownBy(() -> new Mpo(RPS, Fixtures.START, c))
        .hasMessage("mpo needs a magnet schedule that resets; a magnet that never moves is mmd");
    assertThatThrownBy(() -> new Mpo(RPS, Fixtures.START, Fixtures.mpo(1, 0.0, 3)))
        .hasMessage("mpo needs alpha > 0, got 0.0");
    assertThatThrownBy(
            () ->
                new Mpo(
                    RPS, Fixtures.START, Algorithm.MPO_STAGED.defaults().withConstantAlpha(0.1)))
        .hasMessage("mpo's staged magnet schedule needs the scale-matched alpha rule");
    assertThatThrownBy(() -> new NashMd(RPS, Fixtures.START, Fixtures.config(20, 0.1)))
        .hasMessageStartingWith("nash-md needs eta * alpha <= 1");
    assertThatThrownBy(() -> Algorithm.MMD.create(RPS, Fixtures.START, c.withMagnetLift(10.0)))
        .hasMessage("mmd has no magnet lift (mpo-path's and mpo-staged's), got 10.0");
  }

  @Test
  void shouldResetWhenInnerIterationHasConverged() {
    // alpha 1: the inner MMD map contracts by about |1 + i eta s| / (1 + eta alpha) = 0.52 per
    // step, so with tolerance 0.99 every phase stops at its minimum of 2 steps; with tolerance
    // 1e-12 no phase converges that far, so every phase runs its maximum of 5 steps.
    Mpo quick =
        new Mpo(
            RPS,
            Fixtures.START,
            Fixtures.mpo(1, 1.0, 3)
                .withMagnet(new TabularConfig.MagnetSchedule.WhenConverged(0.99, 2, 5)));
    Mpo slow =
        new Mpo(
            RPS,
            Fixtures.START,
            Fixtures.mpo(1, 1.0, 3)
                .withMagnet(new TabularConfig.MagnetSchedule.WhenConverged(1e-12, 2, 5)));
    for (int t = 0; t < 100; t++) {
      quick.step();
      slow.step();
    }
    assertThat(quick.resets()).isEqualTo(50);
    assertThat(slow.resets()).isEqualTo(20);
  }

  @Test
  void shouldRecordGapsFromTheOracleAlone() {
    MultiplicativeWeights mw =
        new MultiplicativeWeights(RPS, Fixtures.START, Fixtures.config(1, 0));
    SolverTrace t = SolverRunner.run(mw, RPS, 3);
    assertThat(t.iterations()).isEqualTo(3);
    // gap(pi_0) = 2 * 0.8 - 1
    assertThat(t.gaps()[0]).isCloseTo(0.6, within(1e-15));
    assertThat(t.hasAverage()).isTrue();
    assertThat(t.averageGaps()[0]).isCloseTo(0.6, within(1e-15));
    assertThat(t.policy()).containsExactly(mw.policy(), within(0.0));
  }

  @Test
  void shouldCountIterationsUntilTheGapSettles() {
    double[] gaps = {0.5, 1e-4, 0.2, 1e-4, 1e-7, 1e-8};
    SolverTrace t = new SolverTrace(Algorithm.MPO, gaps, null, new double[] {1}, null);
    assertThat(t.itersTo(1e-3)).isEqualTo(OptionalInt.of(3)); // not 1: the gap left again
    assertThat(t.itersTo(1e-6)).isEqualTo(OptionalInt.of(4));
    assertThat(t.itersTo(1e-9)).isEmpty();
    assertThat(t.itersTo(1.0)).isEqualTo(OptionalInt.of(0));
    assertThat(t.finalGap()).isEqualTo(1e-8);
  }

  @Test
  void shouldNameAlgorithmsForTheCommandLine() {
    assertThat(Algorithm.fromCliName("nash-md")).isEqualTo(Algorithm.NASH_MD);
    assertThatThrownBy(() -> Algorithm.fromCliName("dpo"))
        .hasMessage(
            "unknown algorithm 'dpo': expected one of mpo, mpo-path, mpo-staged, mmd, omd, onpo,"
                + " nash-md, sppo");
  }

  @Test
  void shouldKeepMpoThePapersAlgorithm() {
    // mpo's defaults are MMD steps with a constant alpha and a reset every K steps, no lift.
    TabularConfig d = Algorithm.MPO.defaults();
    assertThat(d.magnet()).isEqualTo(new TabularConfig.MagnetSchedule.Every(20));
    assertThat(d.alphaRule()).isInstanceOf(TabularConfig.AlphaRule.Constant.class);
    assertThat(d.magnetLift()).isZero();
    assertThat(Algorithm.MPO.create(RPS, Fixtures.START, d).algorithm()).isEqualTo(Algorithm.MPO);
    // The schedules of our own are refused under mpo's name.
    assertThatThrownBy(
            () -> Algorithm.MPO.create(RPS, Fixtures.START, Algorithm.MPO_STAGED.defaults()))
        .hasMessageStartingWith("mpo has no magnet lift");
    assertThatThrownBy(
            () ->
                Algorithm.MPO.create(
                    RPS, Fixtures.START, Algorithm.MPO_STAGED.defaults().withMagnetLift(0)))
        .hasMessageStartingWith("mpo is the paper's algorithm");
    assertThat(
            Algorithm.MPO_STAGED
                .create(RPS, Fixtures.START, Algorithm.MPO_STAGED.defaults())
                .algorithm())
        .isEqualTo(Algorithm.MPO_STAGED);
    assertThat(
            Algorithm.MPO_PATH
                .create(RPS, Fixtures.START, Algorithm.MPO_PATH.defaults())
                .algorithm())
        .isEqualTo(Algorithm.MPO_PATH);
  }
}
