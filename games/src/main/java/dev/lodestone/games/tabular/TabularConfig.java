package dev.lodestone.games.tabular;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyperparameters of a tabular solver; immutable and validated at construction (the error names the
 * field and the bad value). {@link Algorithm#defaults()} gives each algorithm's documented
 * defaults.
 *
 * @param eta the step size {@code eta > 0}
 * @param alpha the magnet (regularization) strength {@code alpha >= 0}: MMD's and MPO's {@code
 *     alpha}, Nash-MD's {@code beta}; with {@link AlphaRule.ScaleMatched} it is MPO's value for the
 *     first phase only, with {@link MagnetSchedule.Path} the first of the path
 * @param magnet when MPO resets its magnet; {@link MagnetSchedule.Never} for algorithms whose
 *     magnet (if any) stays at the start policy
 * @param alphaRule how MPO chooses {@code alpha} for each phase; {@link AlphaRule.Constant} keeps
 *     {@code alpha}
 * @param magnetLift MPO's lift at a magnet reset, in nats, {@code >= 0}; 0 turns it off. A strategy
 *     whose payoff beats the policy's ({@code (P pi)_i > 1/2}) and whose log-probability in the new
 *     magnet lies more than {@code magnetLift} below the largest is raised to the largest minus
 *     {@code magnetLift}, so that a strategy driven far out while it was losing comes back as soon
 *     as it wins (see {@link Mpo})
 */
public record TabularConfig(
    double eta, double alpha, MagnetSchedule magnet, AlphaRule alphaRule, double magnetLift) {

  /** A configuration without the magnet lift (every algorithm but MPO). */
  public TabularConfig(double eta, double alpha, MagnetSchedule magnet, AlphaRule alphaRule) {
    this(eta, alpha, magnet, alphaRule, 0.0);
  }

  /** Validates every field. */
  public TabularConfig {
    if (!Double.isFinite(eta) || eta <= 0.0) {
      throw new IllegalArgumentException("eta must be finite and > 0, got " + eta);
    }
    if (!Double.isFinite(alpha) || alpha < 0.0) {
      throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
    }
    if (magnet == null) {
      throw new IllegalArgumentException("magnet schedule must not be null");
    }
    if (alphaRule == null) {
      throw new IllegalArgumentException("alpha rule must not be null");
    }
    if (!Double.isFinite(magnetLift) || magnetLift < 0.0) {
      throw new IllegalArgumentException(
          "magnet lift must be finite and >= 0 (0: off), got " + magnetLift);
    }
  }

  /** A copy with another step size. */
  /** The settings {@code algorithm} uses, as report-ready values (for JSON and tables). */
  public Map<String, Object> describe(Algorithm algorithm) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("eta", eta);
    if (algorithm.usesAlpha()) {
      m.put(algorithm == Algorithm.NASH_MD ? "beta" : "alpha", alpha);
    }
    if (algorithm.isMpoFamily()) {
      m.put("alphaRule", alphaRule.toString());
      m.put("magnet", magnet.toString());
      m.put("magnetLift", magnetLift);
    }
    return m;
  }

  public TabularConfig withEta(double newEta) {
    return new TabularConfig(newEta, alpha, magnet, alphaRule, magnetLift);
  }

  /** A copy with another, constant, {@code alpha} (the scale-matched rule switched off). */
  public TabularConfig withConstantAlpha(double newAlpha) {
    return new TabularConfig(eta, newAlpha, magnet, new AlphaRule.Constant(), magnetLift);
  }

  /** A copy with another magnet schedule. */
  public TabularConfig withMagnet(MagnetSchedule newMagnet) {
    return new TabularConfig(eta, alpha, newMagnet, alphaRule, magnetLift);
  }

  /** A copy with another alpha rule. */
  public TabularConfig withAlphaRule(AlphaRule newRule) {
    return new TabularConfig(eta, alpha, magnet, newRule, magnetLift);
  }

  /** A copy with another magnet lift (0: off). */
  public TabularConfig withMagnetLift(double newLift) {
    return new TabularConfig(eta, alpha, magnet, alphaRule, newLift);
  }

  /** When MPO moves its magnet to the current policy ({@code rho <- pi}). */
  public sealed interface MagnetSchedule
      permits MagnetSchedule.Never,
          MagnetSchedule.Every,
          MagnetSchedule.WhenConverged,
          MagnetSchedule.Staged,
          MagnetSchedule.Path {

    /** The magnet never moves: it stays at the start policy (MMD with a fixed magnet). */
    record Never() implements MagnetSchedule {
      @Override
      public String toString() {
        return "never";
      }
    }

    /**
     * Reset every {@code steps} MMD steps.
     *
     * @param steps the period K, at least 1
     */
    record Every(int steps) implements MagnetSchedule {
      /** Validates the period. */
      public Every {
        if (steps < 1) {
          throw new IllegalArgumentException("magnet period must be >= 1 step, got " + steps);
        }
      }

      @Override
      public String toString() {
        return "every " + steps;
      }
    }

    /**
     * Reset when the inner MMD iteration has converged: once the phase's latest step, measured in
     * the local norm of {@code log pi}, is at most {@code tolerance} times its first step (a
     * relative-error inexact proximal point), after at least {@code minSteps} and at most {@code
     * maxSteps} steps.
     *
     * @param tolerance relative size of the last inner step, in (0, 1)
     * @param minSteps fewest steps of a phase, at least 2 (the first step sets the scale)
     * @param maxSteps most steps of a phase, at least minSteps
     */
    record WhenConverged(double tolerance, int minSteps, int maxSteps) implements MagnetSchedule {
      /** Validates the rule. */
      public WhenConverged {
        if (!(tolerance > 0.0 && tolerance < 1.0)) {
          throw new IllegalArgumentException("reset tolerance must be in (0, 1), got " + tolerance);
        }
        if (minSteps < 2) {
          throw new IllegalArgumentException("reset minSteps must be >= 2, got " + minSteps);
        }
        if (maxSteps < minSteps) {
          throw new IllegalArgumentException(
              "reset maxSteps must be >= minSteps (" + minSteps + "), got " + maxSteps);
        }
      }

      @Override
      public String toString() {
        return "when-converged(" + tolerance + ", " + minSteps + ".." + maxSteps + ")";
      }
    }

    /**
     * Two stages, with the scale-matched alpha rule. Stage 1: a reset every 3 steps (phases that
     * cancel the rotation at the measured scale; fast on games whose rotations all have about one
     * frequency). Once the gap stalls (the smallest gap seen at a reset has not halved over the
     * last {@code stallPhases} phases) MPO moves, for good, to stage 2: a reset every 2 steps, the
     * first a long MMD step (extrapolation), the second a short one pulled hard to the magnet
     * (update), which damps slow rotations about three times faster per step; its scale is the
     * largest local ratio measured over the last {@code window} phases (see {@link Mpo}). The
     * configured {@code eta} applies to stage 1; stage 2's two steps take their {@code eta} and
     * {@code alpha} from the scale.
     *
     * @param stallPhases phases between two stall checks, at least 1
     * @param window phases over which stage 2 takes the largest measured scale, at least 1
     */
    record Staged(int stallPhases, int window) implements MagnetSchedule {
      /** Validates the rule. */
      public Staged {
        if (stallPhases < 1) {
          throw new IllegalArgumentException("stall phases must be >= 1, got " + stallPhases);
        }
        if (window < 1) {
          throw new IllegalArgumentException("scale window must be >= 1 phase, got " + window);
        }
      }

      @Override
      public String toString() {
        return "staged(every 3, after a stall of "
            + stallPhases
            + " phases every 2 with window "
            + window
            + ")";
      }
    }

    /**
     * Path following, then proximal steps (MPO's default; see {@link PathMpo}). The magnet stays at
     * the start while {@code alpha} shrinks by {@code shrink} per solved level (each level solves
     * the regularized game of the current magnet and alpha with Anderson-accelerated MMD steps);
     * once a solved level's gap is at most {@code switchGap}, or the path cannot be followed
     * further, the magnet is reset to the policy at the end of every level and alpha stays. The
     * configured {@code alpha} is the path's first; the alpha rule must be {@link
     * AlphaRule.Constant}.
     *
     * @param shrink factor of alpha per solved path level, in (0, 1)
     * @param switchGap gap at which the path ends, in [0, 1)
     * @param maxLevelSteps most MMD steps of a level, at least 2
     */
    record Path(double shrink, double switchGap, int maxLevelSteps) implements MagnetSchedule {
      /** Validates the rule. */
      public Path {
        if (!(shrink > 0.0 && shrink < 1.0)) {
          throw new IllegalArgumentException("path shrink must be in (0, 1), got " + shrink);
        }
        if (!(switchGap >= 0.0 && switchGap < 1.0)) {
          throw new IllegalArgumentException("path switch gap must be in [0, 1), got " + switchGap);
        }
        if (maxLevelSteps < 2) {
          throw new IllegalArgumentException(
              "path level must allow >= 2 steps, got " + maxLevelSteps);
        }
      }

      @Override
      public String toString() {
        return "path(shrink "
            + shrink
            + ", proximal from gap "
            + switchGap
            + ", levels of at most "
            + maxLevelSteps
            + " steps)";
      }
    }
  }

  /** How MPO chooses {@code alpha} for each phase. */
  public sealed interface AlphaRule permits AlphaRule.Constant, AlphaRule.ScaleMatched {

    /** {@code alpha} stays at the configured value. */
    record Constant() implements AlphaRule {
      @Override
      public String toString() {
        return "constant";
      }
    }

    /**
     * {@code alpha} is matched to the game's local scale. At every magnet reset
     *
     * <pre>
     *   alpha = clamp( max( sHat / ratio, gap / (2 maxLogGain) ), min, max )
     * </pre>
     *
     * <p>where {@code sHat} is the largest observed ratio {@code ||r_{t+1} - r_t|| / ||z_{t+1} -
     * z_t||} ({@code z = log pi}; both norms local, at {@code pi_{t+1}}: {@code sqrt(sum_i pi_i
     * (d_i - dbar)^2)}), an on-line estimate of the local Lipschitz constant of {@code pi -> P pi}.
     * {@code sHat} starts at {@code ratio * alpha} (the configured alpha is the first phase's) and
     * is multiplied by {@code decay} after every reset, so it follows the iterate but never drops
     * at once. The second term is a trust region: the first step of a phase raises a
     * log-probability by about {@code (max_i r_i - pi^T r) / alpha = gap / (2 alpha)}, which it
     * keeps at most {@code maxLogGain}; it only binds far from equilibrium (for example on a face
     * of the simplex where the game has no rotation, and the local scale reads near 0) and vanishes
     * as the gap does.
     *
     * @param ratio target of {@code sHat / alpha}, in (0, 4]
     * @param decay forgetting factor of {@code sHat} per phase, in (0, 1]
     * @param maxLogGain largest log-probability gain of a phase's first step, > 0, or 0 for no
     *     trust region
     * @param min smallest alpha, > 0
     * @param max largest alpha, >= min
     */
    record ScaleMatched(double ratio, double decay, double maxLogGain, double min, double max)
        implements AlphaRule {
      /** Validates the rule. */
      public ScaleMatched {
        if (!(ratio > 0.0 && ratio <= 4.0)) {
          throw new IllegalArgumentException("scale ratio must be in (0, 4], got " + ratio);
        }
        if (!(decay > 0.0 && decay <= 1.0)) {
          throw new IllegalArgumentException("scale decay must be in (0, 1], got " + decay);
        }
        if (!(maxLogGain >= 0.0 && Double.isFinite(maxLogGain))) {
          throw new IllegalArgumentException(
              "maxLogGain must be finite and >= 0 (0: no trust region), got " + maxLogGain);
        }
        if (!(min > 0.0 && Double.isFinite(min))) {
          throw new IllegalArgumentException("alpha min must be finite and > 0, got " + min);
        }
        if (!(max >= min && Double.isFinite(max))) {
          throw new IllegalArgumentException(
              "alpha max must be finite and >= min (" + min + "), got " + max);
        }
      }

      @Override
      public String toString() {
        return "scale-matched(ratio "
            + ratio
            + ", decay "
            + decay
            + ", maxLogGain "
            + maxLogGain
            + ", "
            + min
            + ".."
            + max
            + ")";
      }
    }
  }
}
