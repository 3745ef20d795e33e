package dev.lodestone.infra.options;

import dev.lodestone.games.tabular.Algorithm;
import dev.lodestone.games.tabular.TabularConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The hyperparameter options of the tabular solvers, shared by {@code solve} and {@code bench
 * games}: each starts from the algorithm's documented defaults, and an option that does not apply
 * to the chosen algorithm is an error, never silently ignored.
 */
public final class TabularOptions {

  /** Default tolerance of {@code --magnet-every auto}. */
  public static final double DEFAULT_RESET_TOLERANCE = 0.1;

  /** Longest phase of {@code --magnet-every auto}. */
  public static final int AUTO_MAX_STEPS = 100;

  private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--eta",
      paramLabel = "X",
      description =
          "step size (default: per algorithm; mpo: 1 with the path schedule, 1000 with the reset"
              + " schedules)")
  public Double eta;

  @Option(
      names = "--alpha",
      paramLabel = "X|auto",
      description =
          "magnet strength (mpo, mmd; nash-md's beta). For mpo's path schedule the path's first"
              + " alpha (default 0.5); with --magnet-every K or auto a number fixes alpha, and auto"
              + " (the reset schedules' default) matches it to the game's measured scale.")
  public String alpha;

  @Option(
      names = "--scale-ratio",
      paramLabel = "R",
      description = "mpo with --alpha auto: target of sHat/alpha (default: 1)")
  public Double scaleRatio;

  @Option(
      names = "--scale-decay",
      paramLabel = "D",
      description = "mpo with --alpha auto: forgetting of sHat per phase (default: 0.7)")
  public Double scaleDecay;

  @Option(
      names = "--max-log-gain",
      paramLabel = "G",
      description =
          "mpo with --alpha auto: trust region, alpha >= gap/(2G); 0 turns it off (default: 1)")
  public Double maxLogGain;

  @Option(
      names = "--magnet-every",
      paramLabel = "path|staged|K|auto",
      description =
          "mpo's magnet schedule: path (the default: the magnet stays at the start while alpha"
              + " shrinks along the path of regularized equilibria, then it follows the policy"
              + " level by level), or a reset schedule: staged (every 3 steps until the gap"
              + " stalls, then 2-step extragradient-shaped phases), every K steps, or auto (when"
              + " the inner MMD iteration has converged)")
  public String magnetEvery;

  @Option(
      names = "--reset-tolerance",
      paramLabel = "T",
      description =
          "mpo with --magnet-every auto: reset once the inner step is T times its first "
              + "(default 0.1)")
  public Double resetTolerance;

  @Option(
      names = "--magnet-lift",
      paramLabel = "L",
      description =
          "mpo: at a reset, a strategy that beats the policy and lies more than L nats below the"
              + " most probable one in the magnet is raised to that floor; 0 turns it off"
              + " (default 10)")
  public Double magnetLift;

  /** Whether any hyperparameter option was given. */
  public boolean any() {
    return eta != null
        || alpha != null
        || scaleRatio != null
        || scaleDecay != null
        || maxLogGain != null
        || magnetEvery != null
        || resetTolerance != null
        || magnetLift != null;
  }

  /**
   * The configuration: the algorithm's defaults, with the options given applied. For mpo with a
   * reset schedule ({@code --magnet-every staged|K|auto}) the defaults are {@link
   * Algorithm#mpoResetDefaults()}.
   */
  public TabularConfig config(Algorithm algorithm, CommandLine.Model.CommandSpec spec) {
    this.spec = spec;
    boolean mpo = algorithm == Algorithm.MPO;
    if (magnetEvery != null && !mpo) {
      throw usage("--magnet-every applies to mpo only (mmd keeps its magnet fixed)");
    }
    boolean path = mpo && (magnetEvery == null || magnetEvery.equals("path"));
    TabularConfig c = mpo && !path ? Algorithm.mpoResetDefaults() : algorithm.defaults();
    if (eta != null) {
      TabularConfig base = c;
      c = apply(() -> base.withEta(eta), c, "--eta");
    }
    if (alpha != null) {
      if (!algorithm.usesAlpha()) {
        throw usage("--alpha applies to mpo, mmd and nash-md, not " + algorithm.cliName());
      }
      if (alpha.equals("auto")) {
        if (!mpo) {
          throw usage("--alpha auto applies to mpo only");
        }
        if (path) {
          throw usage(
              "--alpha auto applies to mpo's reset schedules (--magnet-every staged, K or auto);"
                  + " the path schedule sets alpha itself (--alpha X: its first value)");
        }
      } else {
        double a = parseDouble("--alpha", alpha);
        if (mpo && "staged".equals(magnetEvery)) {
          throw usage(
              "--alpha X does not apply to --magnet-every staged, which matches alpha to the"
                  + " game's scale (--alpha auto); use --magnet-every K or auto");
        }
        TabularConfig base = c;
        c = apply(() -> base.withConstantAlpha(a), c, "--alpha");
      }
    }
    if (scaleRatio != null || scaleDecay != null || maxLogGain != null) {
      if (!(c.alphaRule() instanceof TabularConfig.AlphaRule.ScaleMatched rule)) {
        throw usage(
            "--scale-ratio, --scale-decay and --max-log-gain apply to mpo with --alpha auto"
                + " (a reset schedule: --magnet-every staged, K or auto)");
      }
      double ratio = scaleRatio != null ? scaleRatio : rule.ratio();
      double decay = scaleDecay != null ? scaleDecay : rule.decay();
      double gain = maxLogGain != null ? maxLogGain : rule.maxLogGain();
      TabularConfig base = c;
      c =
          apply(
              () ->
                  base.withAlphaRule(
                      new TabularConfig.AlphaRule.ScaleMatched(
                          ratio, decay, gain, rule.min(), rule.max())),
              c,
              "--scale-ratio/--scale-decay/--max-log-gain");
    }
    if (mpo && !path && !magnetEvery.equals("staged")) {
      TabularConfig base = c;
      if (magnetEvery.equals("auto")) {
        double tol = resetTolerance != null ? resetTolerance : DEFAULT_RESET_TOLERANCE;
        c =
            apply(
                () ->
                    base.withMagnet(
                        new TabularConfig.MagnetSchedule.WhenConverged(tol, 2, AUTO_MAX_STEPS)),
                c,
                "--reset-tolerance");
      } else {
        int k;
        try {
          k = Integer.parseInt(magnetEvery);
        } catch (NumberFormatException e) {
          throw usage(
              "--magnet-every must be path, staged, a number of steps or auto, got '"
                  + magnetEvery
                  + "'");
        }
        c =
            apply(
                () -> base.withMagnet(new TabularConfig.MagnetSchedule.Every(k)),
                c,
                "--magnet-every");
      }
    }
    if (magnetLift != null) {
      if (!mpo) {
        throw usage("--magnet-lift applies to mpo only");
      }
      TabularConfig base = c;
      c = apply(() -> base.withMagnetLift(magnetLift), c, "--magnet-lift");
    }
    if (resetTolerance != null && !"auto".equals(magnetEvery)) {
      throw usage("--reset-tolerance applies to mpo with --magnet-every auto");
    }
    return c;
  }

  private interface ConfigChange {
    TabularConfig get();
  }

  private TabularConfig apply(ConfigChange change, TabularConfig current, String option) {
    try {
      return change.get();
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private double parseDouble(String option, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw usage(option + " must be a number or auto, got '" + value + "'");
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
