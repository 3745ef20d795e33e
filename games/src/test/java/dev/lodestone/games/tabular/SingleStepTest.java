package dev.lodestone.games.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Every update against numbers computed independently, in probability space (not log space), from
 * the paper's formula: rock-paper-scissors, start (0.7, 0.2, 0.1), so {@code r_0 = P pi_0 = (0.45,
 * 0.8, 0.25)}.
 */
class SingleStepTest {

  private static final WinRateOracle RPS = WinRateOracle.ofMatrix(Fixtures.RPS);

  @Test
  void shouldTakeMultiplicativeWeightsStepsAndAverageThem() {
    // pi_1 ~ pi_0 exp(r_0) = (0.7 e^0.45, 0.2 e^0.8, 0.1 e^0.25) / Z
    MultiplicativeWeights mw =
        new MultiplicativeWeights(RPS, Fixtures.START, Fixtures.config(1, 0));
    mw.step();
    assertThat(mw.policy())
        .containsExactly(
            new double[] {0.6568535344588451, 0.2663198671226657, 0.07682659841848923},
            within(1e-15));
    mw.step();
    assertThat(mw.policy())
        .containsExactly(
            new double[] {0.5877218302776117, 0.3501112258280879, 0.06216694389430042},
            within(1e-15));
    double[] avg = new double[3];
    mw.averagePolicy(avg);
    assertThat(avg)
        .containsExactly(
            new double[] {0.6481917882454856, 0.2721436976502512, 0.07966451410426321},
            within(1e-15));
    assertThat(mw.iterations()).isEqualTo(2);
  }

  @Test
  void shouldTakeMagneticMirrorDescentStep() {
    // pi_1 ~ [pi_0 rho^(eta alpha) exp(eta r_0)]^(1/(1+eta alpha)), rho uniform, eta 1, alpha 0.5
    double[] rho = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    MagneticMirrorDescent mmd =
        new MagneticMirrorDescent(RPS, Fixtures.START, rho, Fixtures.config(1, 0.5));
    mmd.step();
    assertThat(mmd.policy())
        .containsExactly(
            new double[] {0.5596079162364893, 0.3065541494051043, 0.1338379343584064},
            within(1e-15));
  }

  @Test
  void shouldTakeMpoStepsAndResetTheMagnet() {
    // eta 2, alpha 0.25, magnet at the start, reset every 2 steps: the third step pulls towards
    // pi_2, not towards pi_0.
    Mpo mpo = new Mpo(RPS, Fixtures.START, Fixtures.mpo(2, 0.25, 2));
    mpo.step();
    assertThat(mpo.policy())
        .containsExactly(
            new double[] {0.6389620128657452, 0.2911238281639131, 0.06991415897034167},
            within(1e-15));
    assertThat(mpo.magnet()).containsExactly(Fixtures.START, within(1e-15));
    mpo.step();
    double[] pi2 = {0.5648530507798895, 0.37306478897509426, 0.06208216024501624};
    assertThat(mpo.policy()).containsExactly(pi2, within(1e-15));
    assertThat(mpo.resets()).isEqualTo(1);
    assertThat(mpo.magnet()).containsExactly(pi2, within(1e-15));
    mpo.step();
    assertThat(mpo.policy())
        .containsExactly(
            new double[] {0.44342005572593357, 0.5038136035075834, 0.0527663407664831},
            within(1e-15));
  }

  /**
   * Rock-paper-scissors plus a fourth strategy that every other beats 0.8 to 0.2, from (0.3, 0.7 -
   * 2e-9, 1e-9, 1e-9); eta 1, alpha 1, a reset after every step and the given magnet lift.
   */
  private static Mpo liftGame(double lift) {
    TabularConfig config =
        new TabularConfig(
            1.0,
            1.0,
            new TabularConfig.MagnetSchedule.Every(1),
            new TabularConfig.AlphaRule.Constant(),
            lift);
    WinRateOracle game =
        WinRateOracle.ofMatrix(
            new double[][] {
              {0.5, 0.0, 1.0, 0.8}, {1.0, 0.5, 0.0, 0.8}, {0.0, 1.0, 0.5, 0.8}, {0.2, 0.2, 0.2, 0.5}
            });
    return new Mpo(game, new double[] {0.3, 0.7 - 2e-9, 1e-9, 1e-9}, config);
  }

  @Test
  void shouldLiftOnlyAWinningStrategyThatIsFarDownInTheMagnet() {
    // Magnet lift 5 nats. At pi_1 (computed in probability space) r_1 = (0.125, 0.625, 0.750,
    // 0.200): scissors wins and lies below e^-5 times paper's probability, so the magnet raises it
    // to 0.7497535 e^-5 = 0.0050518 (then renormalizes); the fourth loses and stays at 8.6e-10
    // however far down it is. The next step pulls the policy towards the lifted magnet.
    Mpo mpo = liftGame(5.0);
    mpo.step();
    assertThat(mpo.policy())
        .containsExactly(
            new double[] {
              0.25024653651558165, 0.7497534615309559, 1.09819080396774e-09, 8.552718585195276e-10
            },
            within(1e-15));
    assertThat(mpo.lifts()).isEqualTo(1);
    double[] magnet = mpo.magnet();
    assertThat(magnet)
        .containsExactly(
            new double[] {
              0.2489886959224892, 0.7459848965315898, 0.005026406694948108, 8.509729152583949e-10
            },
            within(1e-15));
    assertThat(magnet[3] / 8.509729152583949e-10).isCloseTo(1.0, within(1e-9));
    mpo.step();
    assertThat(mpo.policy())
        .containsExactly(
            new double[] {
              0.206311942830544, 0.7936854027183264, 2.6537191148794927e-06, 7.320146135913126e-10
            },
            within(1e-15));
  }

  @Test
  void shouldNotLiftWithTheLiftTurnedOff() {
    // The same first step with the lift at 0: the magnet is pi_1 itself.
    Mpo mpo = liftGame(0.0);
    mpo.step();
    assertThat(mpo.lifts()).isZero();
    assertThat(mpo.magnet()).containsExactly(mpo.policy(), within(1e-15));
  }

  @Test
  void shouldMatchAlphaToTheMeasuredScaleAtReset() {
    // eta 2, first alpha 0.01 (so the prior ratio * alpha = 0.005 is below every measurement),
    // reset every 2 steps, ratio 0.5, decay 0.7, maxLogGain 1. The two steps' local ratios
    // ||r' - r||_pi' / ||log pi' - log pi||_pi' are 0.150006 and 0.143011; the gap at pi_2 is
    // 0.381909, so alpha = max(0.150006 / 0.5, 0.381909 / 2) = 0.300012.
    TabularConfig config =
        new TabularConfig(
            2.0,
            0.01,
            new TabularConfig.MagnetSchedule.Every(2),
            new TabularConfig.AlphaRule.ScaleMatched(0.5, 0.7, 1.0, 1e-3, 1.0));
    Mpo mpo = new Mpo(RPS, Fixtures.START, config);
    mpo.step();
    assertThat(mpo.alpha()).isEqualTo(0.01);
    mpo.step();
    assertThat(mpo.alpha()).isCloseTo(0.30001224820188993, within(1e-12));
  }

  @Test
  void shouldTakeStagedSecondStagePhasesOfTwoSteps() {
    // Staged schedule with a stall check after every phase, forced to stall at the first: run
    // until it moves to stage 2 (at a reset, so the next step starts a phase at the magnet), then
    // check one 2-step phase against
    // the formulas in probability space, with the scale s read back from alpha:
    //   extrapolation (eta 6/s, alpha s/6):  pi_1 ~ [pi_0 rho^(1) exp(6/s r_0)]^(1/2) = rho exp(3/s
    // r_0)
    //   update (eta 350/s, alpha 2.854 s):   pi_2 ~ pi_1^0.001 rho^0.999 exp(0.35/s r_1)
    TabularConfig config =
        Algorithm.MPO_STAGED.defaults().withMagnet(new TabularConfig.MagnetSchedule.Staged(1, 10));
    Mpo mpo = new Mpo(RPS, Fixtures.START, config);
    mpo.step(); // one step into the first phase, far from equilibrium
    mpo.forceStall();
    for (int t = 0; t < 3000 && !mpo.secondStage(); t++) {
      mpo.step();
    }
    assertThat(mpo.secondStage()).isTrue();
    double[] rho = mpo.magnet();
    assertThat(mpo.policy()).containsExactly(rho, within(1e-15));
    double[] r0 = RPS.winRates(rho);
    mpo.step();
    double s = 6.0 * mpo.alpha();
    assertThat(s).isBetween(1e-3, 1.0);
    double[] pi1 = new double[3];
    for (int i = 0; i < 3; i++) {
      pi1[i] = rho[i] * Math.exp(3.0 / s * r0[i]);
    }
    assertThat(mpo.policy()).containsExactly(normalized(pi1), within(1e-12));
    assertThat(mpo.magnet()).containsExactly(rho, within(1e-15));
    double[] r1 = RPS.winRates(mpo.policy());
    double[] p1 = mpo.policy();
    mpo.step();
    assertThat(mpo.alpha()).isCloseTo(0.999 * s / 0.35, within(1e-12));
    double[] pi2 = new double[3];
    for (int i = 0; i < 3; i++) {
      pi2[i] = Math.pow(p1[i], 1e-3) * Math.pow(rho[i], 0.999) * Math.exp(0.35 / s * r1[i]);
    }
    assertThat(mpo.policy()).containsExactly(normalized(pi2), within(1e-12));
    // Phases of 2 steps: the magnet moved to pi_2.
    assertThat(mpo.magnet()).containsExactly(mpo.policy(), within(1e-15));
  }

  private static double[] normalized(double[] w) {
    double sum = 0.0;
    for (double v : w) {
      sum += v;
    }
    double[] out = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = w[i] / sum;
    }
    return out;
  }

  @Test
  void shouldTakeOptimisticSteps() {
    // pi'_1 ~ pi_0 exp(r_0), pi_1 ~ pi'_1 exp(r_0); pi'_2 ~ pi'_1 exp(r_1), pi_2 ~ pi'_2 exp(r_1)
    OptimisticMirrorDescent onpo =
        new OptimisticMirrorDescent(RPS, Fixtures.START, Fixtures.config(1, 0));
    onpo.step();
    assertThat(onpo.policy())
        .containsExactly(
            new double[] {0.5984018160769862, 0.34429522208008023, 0.05730296184293367},
            within(1e-15));
    onpo.step();
    assertThat(onpo.policy())
        .containsExactly(
            new double[] {0.4880620486996168, 0.45294499429854856, 0.05899295700183464},
            within(1e-15));
  }

  @Test
  void shouldTakeNashMdStepAgainstTheGeometricMixture() {
    // start uniform, mu = (0.7, 0.2, 0.1), eta 1, beta 0.5:
    // pi^mu ~ pi^(1/2) mu^(1/2) = (0.52288, 0.27949, 0.19763); pi_1 ~ pi^mu exp(P pi^mu)
    double[] uniform = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    NashMd nashMd = new NashMd(RPS, uniform, Fixtures.START, Fixtures.config(1, 0.5));
    nashMd.step();
    assertThat(nashMd.policy())
        .containsExactly(
            new double[] {0.4990440162131848, 0.3269698846513646, 0.1739860991354506},
            within(1e-15));
  }

  @Test
  void shouldMinimizeTheSppoLossOverTheSimplex() {
    // Reference: scipy SLSQP on min_v sum_y pi_0(y) (v_y - a_y)^2 s.t. sum_y pi_0(y) e^{v_y} = 1,
    // a = eta (P pi_0 - 1/2). eta 1 and eta 5.
    Sppo sppo = new Sppo(RPS, Fixtures.START, Fixtures.config(1, 0));
    sppo.step();
    double[] p1 = sppo.policy();
    assertThat(p1)
        .containsExactly(
            new double[] {0.6576349832940028, 0.26527526150344066, 0.07708975520255647},
            within(1e-7));
    assertKkt(Fixtures.START, p1, 1.0);

    Sppo strong = new Sppo(RPS, Fixtures.START, Fixtures.config(5, 0));
    strong.step();
    double[] p5 = strong.policy();
    assertThat(p5)
        .containsExactly(
            new double[] {0.46822370936453556, 0.5048290541392236, 0.0269472364962409},
            within(1e-7));
    assertKkt(Fixtures.START, p5, 5.0);
    // Not multiplicative weights: the exact fit damps the strongest gain (paper, 0.6097 for MW).
    assertThat(p5[1]).isLessThan(0.6);
  }

  /** Stationarity: u_y - a_y = -c e^{u_y} with one c >= 0 for every y, u = log(pi_1 / pi_0). */
  private static void assertKkt(double[] pi0, double[] pi1, double eta) {
    double[] r = RPS.winRates(pi0);
    double c0 = Double.NaN;
    for (int y = 0; y < 3; y++) {
      double u = Math.log(pi1[y] / pi0[y]);
      double a = eta * (r[y] - 0.5);
      double c = (a - u) / Math.exp(u);
      assertThat(c).isGreaterThanOrEqualTo(0.0);
      if (y == 0) {
        c0 = c;
      } else {
        assertThat(c).isCloseTo(c0, within(1e-12));
      }
    }
    assertThat(pi1[0] + pi1[1] + pi1[2]).isCloseTo(1.0, within(1e-15));
  }

  @Test
  void shouldReduceSppoToMultiplicativeWeightsForSmallSteps() {
    double eta = 1e-3;
    Sppo sppo = new Sppo(RPS, Fixtures.START, Fixtures.config(eta, 0));
    MultiplicativeWeights mw =
        new MultiplicativeWeights(RPS, Fixtures.START, Fixtures.config(eta, 0));
    sppo.step();
    mw.step();
    double[] a = sppo.policy();
    double[] b = mw.policy();
    double moved = Math.abs(b[0] - Fixtures.START[0]);
    for (int i = 0; i < 3; i++) {
      assertThat(Math.abs(a[i] - b[i])).isLessThan(moved * 1e-2);
    }
  }

  @Test
  void shouldComputeLambertWInLogSpace() {
    for (double l : new double[] {-700, -50, -5, -1, 0, 0.5, 1, 2, 10, 100, 1e5, 1e300}) {
      double w = Sppo.lambertWOfExp(l);
      assertThat(w).isPositive();
      assertThat(w + Math.log(w))
          .as("W(e^%s)", l)
          .isCloseTo(l, within(1e-13 * Math.max(1, Math.abs(l))));
    }
    assertThat(Sppo.lambertWOfExp(1.0)).isCloseTo(1.0, within(1e-15)); // W(e) = 1
    assertThat(Sppo.lambertWOfExp(0.0)).isCloseTo(0.5671432904097838, within(1e-15)); // omega
  }
}
