package dev.lodestone.games.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * MPO's path schedule ({@link PathMpo}): its steps against numbers computed independently
 * (probability space for the MMD step, the Anderson formula written out for the extrapolation), on
 * rock-paper-scissors from (0.7, 0.2, 0.1); its levels; its validation.
 */
class PathMpoTest {

  private static final WinRateOracle RPS = WinRateOracle.ofMatrix(Fixtures.RPS);
  private static final WinRateOracle PERTURBED = WinRateOracle.ofMatrix(Fixtures.PERTURBED_RPS);
  private static final double[] NASH = {1.0 / 7, 3.0 / 7, 3.0 / 7};

  private static TabularConfig path(double eta, double alpha) {
    return new TabularConfig(
        eta,
        alpha,
        new TabularConfig.MagnetSchedule.Path(0.7, 1e-3, 40),
        new TabularConfig.AlphaRule.Constant(),
        10.0);
  }

  @Test
  void shouldTakeAnMmdStepThenAnAndersonStep() {
    // alpha 0.01: the level (solved at residual 1e-3) does not end within these steps.
    // Step 1, the MMD step with the magnet at the start: pi_1 ~ pi_0 exp(r_0 / (1 + alpha)).
    PathMpo s = new PathMpo(RPS, Fixtures.START, path(1, 0.01));
    s.step();
    double[] pi1 = {0.6573590506703134, 0.26560282515831013, 0.07703812417137641};
    assertThat(s.policy()).containsExactly(pi1, within(1e-15));
    // Step 2: g_1 the MMD step from pi_1 (magnet still pi_0); with f_k = g_k - x_k (x_0 = log
    // pi_0, x_1 = g_0 = log pi_1), gamma = <dF, f_1> / <dF, dF> in the local norm at pi_1 (dF =
    // f_1 - f_0, both centered), and pi_2 ~ exp(g_1 - gamma (g_1 - g_0)); gamma = 1.1226, and the
    // move beyond g_1 (at most 0.32 nats) is within the 1-nat clip.
    s.step();
    assertThat(s.policy())
        .containsExactly(
            new double[] {0.6647133006280687, 0.2564392221870911, 0.07884747718484014},
            within(1e-14));
    assertThat(s.magnet()).containsExactly(Fixtures.START, within(1e-15));
    assertThat(s.levels()).isZero();
    assertThat(s.iterations()).isEqualTo(2);
  }

  @Test
  void shouldClipTheExtrapolationToOneNat() {
    // eta 5: the extrapolation would move log pi by (1.886, -1.217, -0.818) beyond g_1; it is
    // scaled by 1/1.886.
    PathMpo s = new PathMpo(RPS, Fixtures.START, path(5, 0.01));
    s.step();
    assertThat(s.policy())
        .containsExactly(
            new double[] {0.3894340661240583, 0.5891013681165468, 0.021464565759394826},
            within(1e-15));
    s.step();
    assertThat(s.policy())
        .containsExactly(
            new double[] {0.27878379049611807, 0.697396030966613, 0.02382017853726898},
            within(1e-14));
  }

  @Test
  void shouldShrinkAlphaAlongThePathThenFollowThePolicy() {
    PathMpo s = new PathMpo(PERTURBED, Fixtures.START, Algorithm.MPO_PATH.defaults());
    while (s.levels() == 0) {
      s.step();
    }
    // The first level is solved at once on this game: alpha shrinks, the magnet stays.
    assertThat(s.alpha()).isCloseTo(0.5 * 0.7, within(1e-15));
    assertThat(s.proximal()).isFalse();
    assertThat(s.magnet()).containsExactly(Fixtures.START, within(1e-15));
    double[] r = new double[3];
    while (!s.proximal()) {
      s.step();
    }
    // The path ended at a solved level with gap <= 1e-3 (or one it could not solve); from then on
    // the magnet is the policy of the level's end, alpha stays.
    double alpha = s.alpha();
    assertThat(alpha).isLessThan(0.01);
    long levels = s.levels();
    while (s.levels() == levels) {
      s.step();
    }
    double[] magnet = s.magnet();
    assertThat(s.alpha()).isEqualTo(alpha);
    PERTURBED.winRates(magnet, r);
    assertThat(2 * Math.max(r[0], Math.max(r[1], r[2])) - 1).isLessThan(1e-3);
    SolverTrace t = SolverRunner.run(s, PERTURBED, 500);
    assertThat(t.finalGap()).isLessThan(1e-9);
    assertThat(t.policy()).containsExactly(NASH, within(1e-9));
  }

  @Test
  void shouldConvergeFromTheDefaultsWithinTheTargetsBudget() {
    for (WinRateOracle game : new WinRateOracle[] {RPS, PERTURBED}) {
      TabularSolver s =
          Algorithm.MPO_PATH.create(game, Fixtures.START, Algorithm.MPO_PATH.defaults());
      assertThat(s).isInstanceOf(PathMpo.class);
      SolverTrace t = SolverRunner.run(s, game, 2000);
      assertThat(t.itersTo(1e-6)).isPresent();
      assertThat(t.finalGap()).isLessThan(1e-9);
    }
  }

  @Test
  void shouldLiftAWinningStrategyIntoTheMagnetAtAProximalReset() {
    // Rock-paper-scissors plus a fourth strategy that beats rock and loses to the others, started
    // nearly out of play; the path ends at the first level with gap <= 0.9. When the magnet follows
    // the policy, a winning strategy more than 10 nats below the most probable one re-enters the
    // magnet at that floor.
    double[][] p = {
      {0.5, 0.0, 1.0, 0.4}, {1.0, 0.5, 0.0, 0.6}, {0.0, 1.0, 0.5, 0.6}, {0.6, 0.4, 0.4, 0.5}
    };
    WinRateOracle game = WinRateOracle.ofMatrix(p);
    TabularConfig config =
        Algorithm.MPO_PATH
            .defaults()
            .withMagnet(new TabularConfig.MagnetSchedule.Path(0.7, 0.9, 40));
    double[] start = {0.8, 0.1, 0.1 - 1e-12, 1e-12};
    PathMpo s = new PathMpo(game, start, config);
    double[] pi = s.policy(); // the policy at the end of the level that ends the path
    while (!s.proximal()) {
      pi = s.policy();
      s.step();
    }
    double[] r = new double[4];
    game.winRates(pi, r);
    double[] magnet = s.magnet();
    // Switched after the first level (solved at once, gap below 0.9): the fourth strategy wins
    // (r = 0.56) at 3.4e-10, and the magnet lifts it to e^-10 of the largest; the rest is pi.
    assertThat(s.levels()).isEqualTo(1);
    assertThat(r[3]).isGreaterThan(0.5);
    assertThat(pi[3]).isLessThan(Math.exp(-10) * pi[0]);
    assertThat(magnet[3] / magnet[0]).isCloseTo(Math.exp(-10), within(1e-15));
    assertThat(magnet[1] / magnet[0]).isCloseTo(pi[1] / pi[0], within(1e-15));
    assertThat(magnet[2] / magnet[0]).isCloseTo(pi[2] / pi[0], within(1e-15));
  }

  @Test
  void shouldRejectAnAlphaRuleAndValidateTheSchedule() {
    TabularConfig scaleMatched =
        Algorithm.MPO_PATH.defaults().withAlphaRule(Algorithm.MPO_STAGED.defaults().alphaRule());
    assertThatThrownBy(() -> new PathMpo(RPS, Fixtures.START, scaleMatched))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("mpo's path schedule sets alpha itself");
    assertThatThrownBy(() -> new PathMpo(RPS, Fixtures.START, Algorithm.MPO_STAGED.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("PathMpo runs the path magnet schedule");
    assertThatThrownBy(() -> new PathMpo(RPS, Fixtures.START, path(1, 0.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mpo needs alpha > 0, got 0.0");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.Path(1.0, 1e-3, 40))
        .hasMessage("path shrink must be in (0, 1), got 1.0");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.Path(0.7, -1, 40))
        .hasMessage("path switch gap must be in [0, 1), got -1.0");
    assertThatThrownBy(() -> new TabularConfig.MagnetSchedule.Path(0.7, 1e-3, 1))
        .hasMessage("path level must allow >= 2 steps, got 1");
  }
}
