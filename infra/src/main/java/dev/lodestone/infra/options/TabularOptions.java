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
      description = "step size (default: per algorithm, as docs/games-benchmark.md lists)")
  public Double eta;

  @Option(
      names = "--alpha",
      paramLabel = "X",
      description =
          "magnet strength: mpo, mmd, nash-md's beta, and mpo-path's first alpha of the path"
              + " (default: per algorithm)")
  public Double alpha;

  @Option(
      names = "--scale-ratio",
      paramLabel = "R",
      description = "mpo-staged: target of sHat/alpha (default: 1)")
  public Double scaleRatio;

  @Option(
      names = "--scale-decay",
      paramLabel = "D",
      description = "mpo-staged: forgetting of sHat per phase (default: 0.7)")
  public Double scaleDecay;

  @Option(
      names = "--max-log-gain",
      paramLabel = "G",
      description = "mpo-staged: trust region, alpha >= gap/(2G); 0 turns it off (default: 1)")
  public Double maxLogGain;

  @Option(
      names = "--magnet-every",
      paramLabel = "K|auto",
      description =
          "mpo: reset the magnet every K steps (default: 20), or auto: when the inner MMD"
              + " iteration has converged (--reset-tolerance)")
  public String magnetEvery;

  @Option(
      names = "--reset-tolerance",
      paramLabel = "T",
      description =
          "mpo with --magnet-every auto: reset once the inner step is T times its first "
              + "(default "
              + DEFAULT_RESET_TOLERANCE
              + ")")
  public Double resetTolerance;

  @Option(
      names = "--magnet-lift",
      paramLabel = "L",
      description =
          "mpo-path and mpo-staged: at a reset, a strategy that beats the policy and lies more"
              + " than L nats below the most probable one in the magnet is raised to that floor;"
              + " 0 turns it off (default 10)")
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
   * The configuration: the algorithm's defaults with the options given applied. An option never
   * changes another setting, and one that does not apply to the algorithm is an error.
   */
  public TabularConfig config(Algorithm algorithm, CommandLine.Model.CommandSpec spec) {
    this.spec = spec;
    TabularConfig c = algorithm.defaults();
    if (eta != null) {
      TabularConfig base = c;
      c = apply(() -> base.withEta(eta), "--eta");
    }
    if (alpha != null) {
      if (algorithm == Algorithm.MPO_STAGED) {
        throw usage(
            "--alpha does not apply to mpo-staged, which matches alpha to the game's scale"
                + " (--scale-ratio, --scale-decay, --max-log-gain)");
      }
      if (!algorithm.usesAlpha()) {
        throw usage(
            "--alpha applies to mpo, mpo-path, mmd and nash-md, not " + algorithm.cliName());
      }
      TabularConfig base = c;
      c = apply(() -> base.withConstantAlpha(alpha), "--alpha");
    }
    if (scaleRatio != null || scaleDecay != null || maxLogGain != null) {
      if (!(c.alphaRule() instanceof TabularConfig.AlphaRule.ScaleMatched rule)) {
        throw usage("--scale-ratio, --scale-decay and --max-log-gain apply to mpo-staged only");
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
              "--scale-ratio/--scale-decay/--max-log-gain");
    }
    if (magnetEvery != null) {
      if (algorithm != Algorithm.MPO) {
        throw usage(
            "--magnet-every applies to mpo only (mmd keeps its magnet fixed; mpo-path and"
                + " mpo-staged have their own schedules)");
      }
      TabularConfig base = c;
      if (magnetEvery.equals("auto")) {
        double tol = resetTolerance != null ? resetTolerance : DEFAULT_RESET_TOLERANCE;
        c =
            apply(
                () ->
                    base.withMagnet(
                        new TabularConfig.MagnetSchedule.WhenConverged(tol, 2, AUTO_MAX_STEPS)),
                "--reset-tolerance");
      } else {
        int k;
        try {
          k = Integer.parseInt(magnetEvery);
        } catch (NumberFormatException e) {
          throw usage(
              "--magnet-every must be a number of steps or auto, got '" + magnetEvery + "'");
        }
        c =
            apply(
                () -> base.withMagnet(new TabularConfig.MagnetSchedule.Every(k)), "--magnet-every");
      }
    }
    if (resetTolerance != null && !"auto".equals(magnetEvery)) {
      throw usage("--reset-tolerance applies to mpo with --magnet-every auto");
    }
    if (magnetLift != null) {
      if (algorithm != Algorithm.MPO_PATH && algorithm != Algorithm.MPO_STAGED) {
        throw usage(
            "--magnet-lift applies to mpo-path and mpo-staged (the paper's mpo has no lift)");
      }
      TabularConfig base = c;
      c = apply(() -> base.withMagnetLift(magnetLift), "--magnet-lift");
    }
    return c;
  }

  private interface ConfigChange {
    TabularConfig get();
  }

  private TabularConfig apply(ConfigChange change, String option) {
    try {
      return change.get();
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
