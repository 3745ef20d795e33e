package dev.lodestone.games.tabular;

/**
 * Magnetic Preference Optimization, tabular (Wang et al., arXiv 2410.16714, ICLR 2025): Magnetic
 * Mirror Descent on the KL-regularized game, with the magnet moved to the current policy from time
 * to time so that the sequence of regularized equilibria walks to the game's own Nash equilibrium,
 * and the last iterate converges. With a constant alpha and a reset every K steps (or when the
 * inner iteration has converged) it is the paper's algorithm, {@code mpo}; with the staged
 * schedule, the scale-matched alpha and the magnet lift it is {@code mpo-staged}, a schedule of our
 * own.
 *
 * <pre>
 *   r_t = P pi_t
 *   pi_{t+1} ~ [ pi_t * rho^(eta alpha) * exp(eta r_t) ]^(1 / (1 + eta alpha))      (MMD step)
 *   at a reset: rho <- pi_{t+1}
 * </pre>
 *
 * <p>In log space the step is {@code z_{t+1} = (z_t + eta alpha log rho + eta r_t) / (1 + eta
 * alpha)}, normalized. Each phase (the steps between two resets) is an inexact proximal-point step
 * of the game around the magnet with step {@code 1/alpha}.
 *
 * <p><b>When to reset</b> ({@link TabularConfig.MagnetSchedule}): every K steps, when the inner
 * iteration has converged (its latest step, in the local norm of {@code log pi}, at most a fraction
 * of its first step), or staged ({@code mpo-staged}): every 3 steps until the gap stalls, then
 * every 2.
 *
 * <p><b>Stage 2 of the staged schedule.</b> A 3-step phase damps a rotation of frequency {@code s
 * << alpha} by only about {@code (s/alpha)^2 / 6} per step, so games whose rotations span a wide
 * range of frequencies (a strategy with a tiny equilibrium mass) stall. Once the smallest gap seen
 * at a reset has not halved over {@code stallPhases} phases, every phase is two MMD steps from the
 * magnet at the measured scale {@code s}: a long one ({@code eta = 6/s}, {@code alpha = s/6}:
 * {@code pi_1 ~ rho exp(3 r_0 / s)}) and a short one pulled hard to the magnet ({@code eta =
 * 350/s}, {@code alpha = 2.854 s}: {@code pi_2 ~ pi_1^0.001 rho^0.999 exp(0.35 r_1 / s)}), an
 * extragradient step with a long extrapolation. On the linear model of the rotation it damps
 * frequency {@code s' << s} by about {@code 0.49 (s'/s)^2} per step (three times the 3-step phase)
 * and stays stable up to {@code s' = 1.34 s}. Its scale is the largest local ratio over the last
 * {@code window} phases, never forgotten faster than {@code decay} per phase, so that an
 * underestimate is corrected within a window.
 *
 * <p><b>The magnet lift</b> ({@link TabularConfig#magnetLift()}; {@code mpo-staged}: 10 nats,
 * {@code mpo}: none). While the rest of the policy is far from equilibrium, a strategy that loses
 * is driven down at the rate of its payoff deficit, hundreds of nats in a long transient; once it
 * wins again it climbs back only at the rate of its (small, near equilibrium) advantage, and the
 * iterate meanwhile cycles around the equilibrium of the game without it. So at each reset, a
 * strategy that beats the policy ({@code r_i > 1/2}) and lies more than {@code magnetLift} nats
 * below the most probable strategy in the new magnet is raised to that floor. A strategy that loses
 * is never lifted, so near the equilibrium the strategies off its support are left alone, and the
 * equilibrium stays a fixed point as long as no strategy of its support has less than {@code
 * exp(-magnetLift)} of the largest probability.
 *
 * <p><b>Which alpha</b> ({@link TabularConfig.AlphaRule}): constant, or scale-matched (the
 * default): at each reset {@code alpha = max(sHat / ratio, gap / (2 maxLogGain))}, where {@code
 * sHat} is the largest observed ratio of the payoff change {@code ||r_{t+1} - r_t||} to the policy
 * change {@code ||log pi_{t+1} - log pi_t||}, both in the local (Fisher) norm at {@code pi_{t+1}},
 * forgotten geometrically from phase to phase. The ratio estimates the local Lipschitz constant
 * {@code s} of {@code pi -> P pi}, the frequency of the game's rotation near the iterate (at most
 * 1/2 for any preference game). For large {@code eta} a phase of K steps acts on a rotation of
 * frequency s as the polynomial {@code 1 + x/alpha + ... + (x/alpha)^K} at {@code x = i s}: with K
 * = 3 it is {@code (1 + x/alpha)(1 + x^2/alpha^2)}, which annihilates the rotation at {@code s =
 * alpha}, damps slower ones by about {@code 1 - s^2/(2 alpha^2)} per phase and diverges for {@code
 * s > ~1.27 alpha}. Matching alpha to the measured scale therefore gives, on every game and without
 * a per-game setting, the largest proximal step {@code 1/alpha} that a phase still resolves. The
 * second term is a trust region that only binds far from equilibrium: a phase's first step raises a
 * log-probability by about {@code (max_i r_i - pi^T r) / alpha = gap / (2 alpha)}, kept below
 * {@code maxLogGain}. Without it, an iterate that reaches a face of the simplex where the game has
 * no rotation reads a local scale near 0, alpha collapses, and the policy is thrown from vertex to
 * vertex. See {@link Algorithm#MPO} and {@link Algorithm#MPO_STAGED} for the defaults and
 * docs/notes/games-benchmark-history.md for the measurements that chose it.
 */
public final class Mpo extends LogSpaceSolver {

  /** Staged schedule: the gap must halve over each stall check, or stage 2 begins. */
  static final double STALL_FACTOR = 0.5;

  /**
   * Stage 2, first step of a phase (extrapolation): in the form {@code z' = a z + (1 - a) log rho +
   * (c / s) r} with {@code a = 0.5}, {@code c = 3}, that is {@code eta = 6 / s}, {@code alpha = s /
   * 6}.
   */
  static final double EXTRAPOLATION_KEEP = 0.5;

  static final double EXTRAPOLATION_STEP = 3.0;

  /**
   * Stage 2, second step (update): {@code a = 0.001}, {@code c = 0.35}, that is {@code eta = 350 /
   * s}, {@code alpha = 2.854 s}: the step lands close to {@code log rho + (0.35 / s) r}, an
   * extragradient update from the magnet with the payoffs at the extrapolated point.
   */
  static final double UPDATE_KEEP = 1e-3;

  static final double UPDATE_STEP = 0.35;

  private final double eta;
  private final TabularConfig.MagnetSchedule schedule;
  private final TabularConfig.AlphaRule alphaRule;
  private final double magnetLift;
  private final double[] logRho; // log rho, (N)
  private final double[] zNext; // (N) scratch
  private final double[] piNext; // (N) scratch
  private final double[] rNext; // (N) scratch
  private double alpha;
  private double sHat;
  private int phaseStep;
  private double firstStepNorm;
  private long resets;
  private long lifts;
  // Staged schedule (TabularConfig.MagnetSchedule.Staged).
  private final double[] phaseRatios; // largest local ratio of each of the last `window` phases
  private int phaseRatioCount;
  private double phaseRatio; // largest local ratio of the current phase
  private boolean secondStage;
  private boolean forceStall;
  private double bestGap = Double.POSITIVE_INFINITY;
  private double checkedGap = Double.POSITIVE_INFINITY;
  private double scaleEstimate; // stage 2: the scale s the steps are measured in
  private double scale;

  /**
   * Creates the solver at {@code start}, with the magnet at {@code start}.
   *
   * @param config uses {@code eta}, {@code alpha}, {@code magnet} (not {@link
   *     TabularConfig.MagnetSchedule.Never}: a magnet that never moves is {@link
   *     MagneticMirrorDescent}) and {@code alphaRule}
   */
  public Mpo(WinRateOracle oracle, double[] start, TabularConfig config) {
    super(oracle, start);
    if (config.magnet() instanceof TabularConfig.MagnetSchedule.Never) {
      throw new IllegalArgumentException(
          "mpo needs a magnet schedule that resets; a magnet that never moves is mmd");
    }
    if (config.alpha() <= 0.0) {
      throw new IllegalArgumentException("mpo needs alpha > 0, got " + config.alpha());
    }
    this.eta = config.eta();
    this.alpha = config.alpha();
    this.schedule = config.magnet();
    this.alphaRule = config.alphaRule();
    this.magnetLift = config.magnetLift();
    if (schedule instanceof TabularConfig.MagnetSchedule.Staged staged) {
      if (!(alphaRule instanceof TabularConfig.AlphaRule.ScaleMatched)) {
        throw new IllegalArgumentException(
            "mpo's staged magnet schedule needs the scale-matched alpha rule");
      }
      this.phaseRatios = new double[staged.window()];
    } else {
      this.phaseRatios = null;
    }
    if (alphaRule instanceof TabularConfig.AlphaRule.ScaleMatched rule) {
      // The estimate starts where the first alpha puts it and is forgotten only geometrically, so
      // a first measurement taken near the boundary of the simplex (where the local scale is
      // small) cannot drop alpha at once.
      sHat = rule.ratio() * alpha;
    }
    this.logRho = z.clone();
    this.zNext = new double[n];
    this.piNext = new double[n];
    this.rNext = new double[n];
    winRates(pi);
  }

  @Override
  public Algorithm algorithm() {
    return schedule instanceof TabularConfig.MagnetSchedule.Staged
        ? Algorithm.MPO_STAGED
        : Algorithm.MPO;
  }

  @Override
  public void step() {
    // MMD step: z' = (z + eta alpha log rho + eta r) / (1 + eta alpha), normalized. Stage 2 of the
    // staged schedule takes its own eta and alpha for each of the two steps of a phase.
    double stepEta = eta;
    double stepAlpha = alpha;
    if (secondStage) {
      boolean extrapolation = phaseStep == 0;
      double a = extrapolation ? EXTRAPOLATION_KEEP : UPDATE_KEEP;
      double c = (extrapolation ? EXTRAPOLATION_STEP : UPDATE_STEP) / scale;
      stepEta = c / a;
      stepAlpha = (1.0 - a) / c;
      alpha = stepAlpha;
    }
    LogPolicy.mmdStep(z, logRho, r, stepEta, stepAlpha, zNext, piNext);
    oracle.winRates(piNext, rNext); // r_{t+1}, used by the next step
    LogPolicy.checkWinRates(rNext);

    double stepNorm = LogPolicy.localNorm(zNext, z, piNext);
    if (alphaRule instanceof TabularConfig.AlphaRule.ScaleMatched && stepNorm > 0.0) {
      // Local scale: payoff change per unit of policy change, both in the local norm at pi_{t+1}.
      double ratio = LogPolicy.localNorm(rNext, r, piNext) / stepNorm;
      sHat = Math.max(sHat, ratio);
      phaseRatio = Math.max(phaseRatio, ratio);
    }
    System.arraycopy(zNext, 0, z, 0, n);
    System.arraycopy(piNext, 0, pi, 0, n);
    System.arraycopy(rNext, 0, r, 0, n);
    t++;
    phaseStep++;
    if (phaseStep == 1) {
      firstStepNorm = stepNorm;
    }
    if (resetDue(stepNorm)) {
      System.arraycopy(z, 0, logRho, 0, n); // rho <- pi
      if (magnetLift > 0.0) {
        lift();
      }
      resets++;
      phaseStep = 0;
      if (alphaRule instanceof TabularConfig.AlphaRule.ScaleMatched rule && sHat > 0.0) {
        double gap = WinRateOracle.gap(r);
        if (schedule instanceof TabularConfig.MagnetSchedule.Staged staged) {
          stagedReset(staged, rule, gap);
        } else {
          alpha = scaleMatchedAlpha(rule, gap);
        }
      }
      phaseRatio = 0.0;
    }
  }

  /**
   * Alpha of the next 3-step phase. Trust region: the first step of a phase raises no
   * log-probability by much more than maxLogGain, since max_i r_i - pi^T r = gap / 2 (pi^T P pi =
   * 1/2).
   */
  private double scaleMatchedAlpha(TabularConfig.AlphaRule.ScaleMatched rule, double gap) {
    double floor = rule.maxLogGain() > 0.0 ? gap / (2.0 * rule.maxLogGain()) : 0.0;
    double a = Math.min(rule.max(), Math.max(rule.min(), Math.max(floor, sHat / rule.ratio())));
    sHat *= rule.decay();
    return a;
  }

  private void stagedReset(
      TabularConfig.MagnetSchedule.Staged staged,
      TabularConfig.AlphaRule.ScaleMatched rule,
      double gap) {
    phaseRatios[(int) ((resets - 1) % phaseRatios.length)] = phaseRatio;
    phaseRatioCount = Math.min(phaseRatioCount + 1, phaseRatios.length);
    double windowMax = 0.0;
    for (int i = 0; i < phaseRatioCount; i++) {
      windowMax = Math.max(windowMax, phaseRatios[i]);
    }
    // Trust region on stage 2's longer (extrapolation) step, as in stage 1.
    double floor =
        rule.maxLogGain() > 0.0 ? EXTRAPOLATION_STEP * gap / (2.0 * rule.maxLogGain()) : 0.0;
    if (!secondStage) {
      // Stall check: has the smallest gap seen at a reset halved over the last stallPhases? A
      // stall counts only where a rotation was measured, that is where stage 2's scale would come
      // from the measured ratios rather than from the trust region: an iterate stuck on a face of
      // the simplex without rotation (ratios near 0) needs stage 1's larger drift, not stage 2.
      bestGap = Math.min(bestGap, gap);
      if (resets % staged.stallPhases() == 0) {
        if (forceStall
            || (bestGap > STALL_FACTOR * checkedGap && windowMax / rule.ratio() >= floor)) {
          secondStage = true;
          scaleEstimate = sHat;
        }
        checkedGap = bestGap;
      }
      if (!secondStage) {
        alpha = scaleMatchedAlpha(rule, gap);
        return;
      }
    }
    // Stage 2: the largest ratio of the last `window` phases, never forgotten faster than decay.
    scaleEstimate = Math.max(windowMax, scaleEstimate * rule.decay());
    scale =
        Math.min(rule.max(), Math.max(rule.min(), Math.max(floor, scaleEstimate / rule.ratio())));
  }

  /**
   * The magnet lift ({@link LogPolicy#lift}). The policy is left as it is (the next step, pulled to
   * the magnet, takes it along).
   */
  private void lift() {
    if (LogPolicy.lift(logRho, r, magnetLift, piNext)) { // piNext: scratch until the next step
      lifts++;
    }
  }

  private boolean resetDue(double stepNorm) {
    if (schedule instanceof TabularConfig.MagnetSchedule.Every every) {
      return phaseStep >= every.steps();
    }
    if (schedule instanceof TabularConfig.MagnetSchedule.WhenConverged rule) {
      return phaseStep >= rule.maxSteps()
          || (phaseStep >= rule.minSteps() && stepNorm <= rule.tolerance() * firstStepNorm);
    }
    if (schedule instanceof TabularConfig.MagnetSchedule.Staged) {
      return phaseStep >= (secondStage ? 2 : 3);
    }
    return false;
  }

  /**
   * Makes the staged schedule's next stall check move to stage 2 whatever the gap did (tests use it
   * to reach stage 2 on small games that never stall).
   */
  void forceStall() {
    forceStall = true;
  }

  /** Whether the staged schedule has moved to its second stage (2-step phases). */
  public boolean secondStage() {
    return secondStage;
  }

  /** The magnet {@code rho} now (a copy). */
  public double[] magnet() {
    return LogPolicy.exp(logRho);
  }

  /** The {@code alpha} of the current phase. */
  public double alpha() {
    return alpha;
  }

  /** Number of magnet resets so far. */
  public long resets() {
    return resets;
  }

  /** Number of resets at which the magnet lift raised at least one strategy. */
  public long lifts() {
    return lifts;
  }
}
