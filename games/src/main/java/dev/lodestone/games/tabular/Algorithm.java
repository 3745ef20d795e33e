package dev.lodestone.games.tabular;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The tabular algorithms, their command-line names and their default hyperparameters. One default
 * per algorithm for every game: no per-game tuning. docs/notes/games-benchmark-history.md holds the
 * measurements that chose them.
 */
public enum Algorithm {
  /**
   * MPO ({@link PathMpo}). Defaults: the path magnet schedule: the magnet at the start while {@code
   * alpha} shrinks from 0.5 (the largest local scale a preference game can have) by 0.7 per solved
   * level, proximal levels (the magnet reset to the policy after each) once a solved level's gap is
   * at most 1e-3, levels of at most 40 MMD steps; {@code eta = 1} (a step moves {@code log pi} by
   * about the payoff once alpha is small); magnet lift 10 nats at the proximal resets. The reset
   * schedules of {@link Mpo} (staged, every K, auto) have their own defaults, {@link
   * #mpoResetDefaults()}.
   */
  MPO(
      "mpo",
      new TabularConfig(
          1.0,
          0.5,
          new TabularConfig.MagnetSchedule.Path(0.7, 1e-3, 40),
          new TabularConfig.AlphaRule.Constant(),
          10.0)),
  /**
   * MMD with a fixed magnet ({@link MagneticMirrorDescent}). Defaults: {@code eta = 1}, {@code
   * alpha = 0.1} (the magnet strength of the fixed-period MPO baseline in PLATFORM.md; inside MMD's
   * convergence region on every suite game). Its limit, and so its stalled gap, depends on alpha
   * only.
   */
  MMD(
      "mmd",
      new TabularConfig(
          1.0,
          0.1,
          new TabularConfig.MagnetSchedule.Never(),
          new TabularConfig.AlphaRule.Constant())),
  /**
   * Multiplicative weights ({@link MultiplicativeWeights}). Default: {@code eta = 0.3}, the best of
   * 0.01, 0.03, 0.1, 0.3, 1 by the geometric mean over the benchmark suite of the average iterate's
   * final gap.
   */
  OMD(
      "omd",
      new TabularConfig(
          0.3,
          0.0,
          new TabularConfig.MagnetSchedule.Never(),
          new TabularConfig.AlphaRule.Constant())),
  /**
   * ONPO ({@link OptimisticMirrorDescent}). Default: {@code eta = 2}, the best of 0.5, 1, 2, 4, 8
   * on the benchmark suite (most games settled below 1e-3, lowest geometric-mean final gap).
   */
  ONPO(
      "onpo",
      new TabularConfig(
          2.0,
          0.0,
          new TabularConfig.MagnetSchedule.Never(),
          new TabularConfig.AlphaRule.Constant())),
  /** Nash-MD ({@link NashMd}). Defaults: {@code eta = 1}, {@code beta = alpha = 0.1}. */
  NASH_MD(
      "nash-md",
      new TabularConfig(
          1.0,
          0.1,
          new TabularConfig.MagnetSchedule.Never(),
          new TabularConfig.AlphaRule.Constant())),
  /**
   * SPPO's tabular target ({@link Sppo}). Default: {@code eta = 0.3}, multiplicative weights' step
   * (SPPO's target is that update; its last iterate converges for no step size, so no step size is
   * better than another).
   */
  SPPO(
      "sppo",
      new TabularConfig(
          0.3,
          0.0,
          new TabularConfig.MagnetSchedule.Never(),
          new TabularConfig.AlphaRule.Constant()));

  private final String cliName;
  private final TabularConfig defaults;

  Algorithm(String cliName, TabularConfig defaults) {
    this.cliName = cliName;
    this.defaults = defaults;
  }

  /** The name the command line uses ({@code mpo}, {@code nash-md}, ...). */
  public String cliName() {
    return cliName;
  }

  /** The documented default hyperparameters. */
  public TabularConfig defaults() {
    return defaults;
  }

  /**
   * The defaults of MPO's reset schedules ({@link Mpo}; MPO's default before the path schedule):
   * {@code eta = 1000} (the MMD step near its proximal limit {@code pi' ~ rho exp(P pi / alpha)}),
   * {@code alpha} scale-matched: ratio 1 (a phase of 3 steps then cancels the rotation at the
   * measured scale), decay 0.7 per phase, trust region maxLogGain 1, clamped to [0.001, 1], first
   * phase {@code alpha = 0.5}; staged magnet schedule: a reset every 3 steps until the gap fails to
   * halve over 30 phases, then 2-step extragradient-shaped phases with the scale taken over a
   * window of 10 phases; magnet lift 10 nats (a winning strategy re-enters the magnet at {@code
   * exp(-10)} of the largest probability at least).
   */
  public static TabularConfig mpoResetDefaults() {
    return new TabularConfig(
        1000.0,
        0.5,
        new TabularConfig.MagnetSchedule.Staged(30, 10),
        new TabularConfig.AlphaRule.ScaleMatched(1.0, 0.7, 1.0, 1e-3, 1.0),
        10.0);
  }

  /** Whether the algorithm reads {@code alpha} (MPO, MMD, Nash-MD's beta). */
  public boolean usesAlpha() {
    return this == MPO || this == MMD || this == NASH_MD;
  }

  /**
   * Creates this algorithm's solver at {@code start}.
   *
   * @throws IllegalArgumentException for a bad start or configuration, including a magnet lift on
   *     an algorithm other than MPO
   */
  public TabularSolver create(WinRateOracle oracle, double[] start, TabularConfig config) {
    if (this != MPO && config.magnetLift() > 0.0) {
      throw new IllegalArgumentException(
          cliName + " has no magnet lift (it is mpo's), got " + config.magnetLift());
    }
    return switch (this) {
      case MPO ->
          config.magnet() instanceof TabularConfig.MagnetSchedule.Path
              ? new PathMpo(oracle, start, config)
              : new Mpo(oracle, start, config);
      case MMD -> new MagneticMirrorDescent(oracle, start, config);
      case OMD -> new MultiplicativeWeights(oracle, start, config);
      case ONPO -> new OptimisticMirrorDescent(oracle, start, config);
      case NASH_MD -> new NashMd(oracle, start, config);
      case SPPO -> new Sppo(oracle, start, config);
    };
  }

  /**
   * The algorithm with this command-line name.
   *
   * @throws IllegalArgumentException naming the accepted names
   */
  public static Algorithm fromCliName(String name) {
    for (Algorithm a : values()) {
      if (a.cliName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown algorithm '"
            + name
            + "': expected one of "
            + Arrays.stream(values()).map(Algorithm::cliName).collect(Collectors.joining(", ")));
  }
}
