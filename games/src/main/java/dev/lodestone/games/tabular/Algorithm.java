package dev.lodestone.games.tabular;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The tabular algorithms, their command-line names and their default hyperparameters. One default
 * per algorithm for every game: no per-game tuning. Each name means its paper's algorithm; the MPO
 * solvers of our own have names of their own ({@code mpo-path}, {@code mpo-staged}).
 * docs/notes/games-benchmark-history.md holds the measurements that chose the defaults.
 */
public enum Algorithm {
  /**
   * MPO as the paper writes it (arXiv 2410.16714, Algorithm 1; {@link Mpo}): MMD steps with the
   * magnet reset to the current policy every K steps. Defaults: {@code eta = 1}, {@code alpha =
   * 0.1}, a reset every 20 steps, no magnet lift. {@code --magnet-every auto} resets instead when
   * the inner MMD iteration has converged (a documented rule, {@link
   * TabularConfig.MagnetSchedule.WhenConverged}).
   */
  MPO(
      "mpo",
      new TabularConfig(
          1.0,
          0.1,
          new TabularConfig.MagnetSchedule.Every(20),
          new TabularConfig.AlphaRule.Constant(),
          0.0)),
  /**
   * A path-following MPO solver of our own ({@link PathMpo}), not the paper's iterates: the magnet
   * at the start while {@code alpha} shrinks from 0.5 by 0.7 per solved level (each level solves
   * its regularized game with Anderson-accelerated MMD steps, at most 40), then proximal levels
   * (the magnet reset to the policy after each) once a solved level's gap is at most 1e-3; {@code
   * eta = 1}; magnet lift 10 nats at the proximal resets.
   */
  MPO_PATH(
      "mpo-path",
      new TabularConfig(
          1.0,
          0.5,
          new TabularConfig.MagnetSchedule.Path(0.7, 1e-3, 40),
          new TabularConfig.AlphaRule.Constant(),
          10.0)),
  /**
   * A staged MPO schedule of our own ({@link Mpo} with {@link
   * TabularConfig.MagnetSchedule.Staged}): {@code eta = 1000} (the MMD step near its proximal
   * limit), {@code alpha} matched to the measured scale of the game (ratio 1, decay 0.7 per phase,
   * trust region maxLogGain 1, clamped to [0.001, 1], first phase 0.5); a reset every 3 steps until
   * the gap fails to halve over 30 phases, then 2-step extragradient-shaped phases with the scale
   * taken over 10 phases; magnet lift 10 nats.
   */
  MPO_STAGED(
      "mpo-staged",
      new TabularConfig(
          1000.0,
          0.5,
          new TabularConfig.MagnetSchedule.Staged(30, 10),
          new TabularConfig.AlphaRule.ScaleMatched(1.0, 0.7, 1.0, 1e-3, 1.0),
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

  /** Whether the algorithm reads {@code alpha} (the MPO family, MMD, Nash-MD's beta). */
  public boolean usesAlpha() {
    return isMpoFamily() || this == MMD || this == NASH_MD;
  }

  /** MPO and the two MPO solvers of our own, which share the magnet and its options. */
  public boolean isMpoFamily() {
    return this == MPO || this == MPO_PATH || this == MPO_STAGED;
  }

  /**
   * Creates this algorithm's solver at {@code start}.
   *
   * @throws IllegalArgumentException for a bad start or configuration: a magnet lift outside
   *     mpo-path and mpo-staged, or for mpo anything but the paper's algorithm (a constant alpha, a
   *     reset every K steps or on convergence)
   */
  public TabularSolver create(WinRateOracle oracle, double[] start, TabularConfig config) {
    if (this != MPO_PATH && this != MPO_STAGED && config.magnetLift() > 0.0) {
      throw new IllegalArgumentException(
          cliName
              + " has no magnet lift (mpo-path's and mpo-staged's), got "
              + config.magnetLift());
    }
    if (this == MPO
        && (!(config.alphaRule() instanceof TabularConfig.AlphaRule.Constant)
            || !(config.magnet() instanceof TabularConfig.MagnetSchedule.Every
                || config.magnet() instanceof TabularConfig.MagnetSchedule.WhenConverged))) {
      throw new IllegalArgumentException(
          "mpo is the paper's algorithm: a constant alpha and a magnet reset every K steps or on"
              + " convergence, got "
              + config.alphaRule()
              + " and "
              + config.magnet()
              + " (mpo-staged and mpo-path are the other schedules)");
    }
    if (this == MPO_STAGED && !(config.magnet() instanceof TabularConfig.MagnetSchedule.Staged)) {
      throw new IllegalArgumentException(
          "mpo-staged needs the staged schedule, got " + config.magnet());
    }
    return switch (this) {
      case MPO, MPO_STAGED -> new Mpo(oracle, start, config);
      case MPO_PATH -> new PathMpo(oracle, start, config);
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
