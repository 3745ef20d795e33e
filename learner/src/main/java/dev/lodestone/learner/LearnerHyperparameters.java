package dev.lodestone.learner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The learner's mathematics without the cluster: what {@link LearnerCore} needs to take steps and
 * publish iterates. Immutable, validated in the constructor (the error names the field and the bad
 * value). {@link LearnerConfig#hyperparameters()} derives it from a full configuration; benchmarks
 * build it directly. {@link #builder()} starts from the defaults (the {@code DEFAULT_} constants),
 * described below.
 *
 * <p>What the defaults do. Eta 1 with alpha 0.1 and a magnet reset every 20 versions is a tabular
 * MPO schedule that converges on the built-in games while keeping every strategy's probability well
 * away from 0; larger steps collapse onto one pure strategy, which sampling never leaves (a
 * strategy that is never drawn gets no gradient). A version is 4 Adam steps of 64 groups, so each
 * MMD step is fitted on 256 labelled pairs. The learning rate 5e-4 decays harmonically over 500
 * steps and, in a run with a budget, cools down over its last quarter, so that the last iterate
 * stops wandering by the sampling noise. Adam's beta1 is 0.5 (momentum acts as a delay in a
 * rotating game), and the trust region keeps a batch from pushing a rarely drawn response beyond
 * the MMD step. Each of these was chosen on single runs of the built-in games
 * (docs/notes/pipeline-benchmark-history.md and docs/notes/learner-benchmark-history.md hold every
 * figure); docs/pipeline-benchmark.md has the current figures.
 *
 * @param algorithm the update rule
 * @param eta the MMD step size: the proximity term weighs {@code 1/eta}, positive
 * @param alpha the magnet strength, {@code >= 0} (ignored as 0 by {@link LearnerAlgorithm#OMD} and
 *     {@link LearnerAlgorithm#SPPO}; the regularisation towards the reference of the peers)
 * @param magnetEvery the magnet is reset to the new iterate every this many POLICY versions, at
 *     least 1 (only for algorithms that reset it)
 * @param publishEvery Adam steps between two published iterates, at least 1
 * @param batchGroups labelled groups per Adam step, at least 1
 * @param learningRate Adam's step size at step 0, positive
 * @param lrDecaySteps the learning rate at step t is {@code learningRate * h / (h + t)} with h this
 *     many steps (a harmonic decay, which lets the last iterate settle under sampling noise); 0:
 *     constant
 * @param cooldown the fraction of a bounded run (one with a step or time budget) over which the
 *     learning rate falls linearly to {@link #COOLDOWN_FLOOR} of the decay's value, in {@code [0,
 *     1)}; 0: off. The last iterate of a run with a constant or slowly decaying rate wanders around
 *     the equilibrium by the sampling noise, with an amplitude that grows with the step; cooling
 *     down at the end of a known budget stops that wandering before the run ends (the schedule of
 *     Hagele et al., arXiv 2405.18392, and Defazio et al., arXiv 2310.07831, who show a linear
 *     decay at the end to be the right shape for the last iterate). A run without a budget (a
 *     learner that runs until stopped) never cools down.
 * @param importanceClip the truncation {@code c} of the per-token importance weights and of the
 *     opponent weights, at least 1
 * @param opponentCorrection weight each comparison by the opponent's sequence ratio {@code
 *     pi_t(y_j) / mu(y_j)} (see {@link dev.lodestone.learner.loss.Advantages}); off: the plain
 *     self-play advantage {@code r_i - 1/2}
 * @param maxGradNorm global gradient-norm clipping, {@code >= 0} (0: off)
 * @param maxLogRatio the trust region of {@link dev.lodestone.learner.loss.Advantages} around pi_t:
 *     a row whose sequence log-ratio to pi_t is already beyond this in the direction of its
 *     advantage leaves the policy term; {@code >= 0} (0: off)
 * @param adamBeta1 Adam's first-moment decay, in {@code [0, 1)}. Momentum carries a gradient into
 *     the steps after it: in a game, whose update field rotates, that acts as a delay of about
 *     {@code 1 / (1 - beta1)} steps and pushes the iterate outwards, the more the faster the game
 *     rotates (Gidel et al., arXiv 1807.04740, on negative momentum in games)
 * @param importanceWeights per-token or sequence importance weights in the policy-gradient term
 *     (see {@link dev.lodestone.learner.loss.ImportanceWeights})
 * @param adamReset when Adam's moments are forgotten: never (they carry across versions and magnet
 *     resets), at every published version (each proximal step starts afresh), or at every magnet
 *     reset
 * @param seed recorded with every checkpoint and metric; the update itself draws no random numbers,
 *     so the same labelled log gives the same weights
 */
public record LearnerHyperparameters(
    LearnerAlgorithm algorithm,
    double eta,
    double alpha,
    int magnetEvery,
    int publishEvery,
    int batchGroups,
    double learningRate,
    int lrDecaySteps,
    double cooldown,
    double importanceClip,
    boolean opponentCorrection,
    double maxGradNorm,
    double maxLogRatio,
    double adamBeta1,
    dev.lodestone.learner.loss.ImportanceWeights importanceWeights,
    AdamReset adamReset,
    long seed) {

  /** When the learner forgets Adam's moments ({@code --adam-reset}). */
  public enum AdamReset {
    /** Never: the moments carry across versions and magnet resets. */
    NEVER,
    /** At every published version. */
    VERSION,
    /** At every magnet reset. */
    MAGNET;

    /** The command line's name: {@code never}, {@code version} or {@code magnet}. */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses {@code never}, {@code version} or {@code magnet}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static AdamReset parse(String text) {
      for (AdamReset r : values()) {
        if (r.id().equalsIgnoreCase(text == null ? "" : text.strip())) {
          return r;
        }
      }
      throw new IllegalArgumentException(
          "adamReset must be never, version or magnet, got '" + text + "'");
    }
  }

  /** Default algorithm's identifier (the command line's {@code --algo}). */
  public static final String DEFAULT_ALGORITHM_ID = "mpo";

  /** Default algorithm, the one {@link #DEFAULT_ALGORITHM_ID} names. */
  public static final LearnerAlgorithm DEFAULT_ALGORITHM =
      LearnerAlgorithm.parse(DEFAULT_ALGORITHM_ID);

  /** Default MMD step size. */
  public static final double DEFAULT_ETA = 1.0;

  /** Default magnet strength. */
  public static final double DEFAULT_ALPHA = 0.1;

  /** Default magnet period, in POLICY versions. */
  public static final int DEFAULT_MAGNET_EVERY = 20;

  /** Default Adam steps per published version. */
  public static final int DEFAULT_PUBLISH_EVERY = 4;

  /** Default labelled groups per step. */
  public static final int DEFAULT_BATCH_GROUPS = 64;

  /** Default Adam learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 5e-4;

  /** Default learning-rate decay horizon, in steps. */
  public static final int DEFAULT_LR_DECAY_STEPS = 500;

  /**
   * Default cooldown: the last quarter of a bounded run, slow enough for the iterate to follow the
   * shrinking step (the evaluations of a five-minute run change on a scale of about 1% of it).
   */
  public static final double DEFAULT_COOLDOWN = 0.25;

  /**
   * The learning rate at the end of a cooldown, as a fraction of the decay's value: small enough
   * that the last versions barely move, and positive so that a step is still a step.
   */
  public static final double COOLDOWN_FLOOR = 0.1;

  /** Default importance-weight truncation. */
  public static final double DEFAULT_IMPORTANCE_CLIP = 2.0;

  /** Default: the opponent correction is on. */
  public static final boolean DEFAULT_OPPONENT_CORRECTION = true;

  /** Default gradient-norm clip. */
  public static final double DEFAULT_MAX_GRAD_NORM = 1.0;

  /** Default trust region around pi_t, in nats of sequence log-ratio. */
  public static final double DEFAULT_MAX_LOG_RATIO = 0.5;

  /**
   * Default Adam first-moment decay: 0.5 (Adam's own 0.9 averages over about 1.25 versions; rps and
   * perturbed-rps wandered less with 0.5, and 0 let perturbed-rps collapse onto pure paper).
   */
  public static final double DEFAULT_ADAM_BETA1 = 0.5;

  /** Validates every field. */
  public LearnerHyperparameters {
    Objects.requireNonNull(algorithm, "algorithm");
    if (!(eta > 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException("eta must be positive and finite, got " + eta);
    }
    if (!(alpha >= 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
    }
    if (algorithm == LearnerAlgorithm.NASH_MD && eta * alpha > 1) {
      throw new IllegalArgumentException(
          "nash-md mixes pi_t and the magnet with weight eta * alpha, which must not exceed 1; got "
              + eta
              + " * "
              + alpha);
    }
    if ((algorithm == LearnerAlgorithm.ONLINE_DPO
            || algorithm == LearnerAlgorithm.ONLINE_IPO
            || algorithm == LearnerAlgorithm.EGPO)
        && !(alpha > 0)) {
      throw new IllegalArgumentException(
          algorithm.id() + " needs a positive alpha (its regularisation), got " + alpha);
    }
    if (magnetEvery < 1) {
      throw new IllegalArgumentException("magnetEvery must be at least 1, got " + magnetEvery);
    }
    if (publishEvery < 1) {
      throw new IllegalArgumentException("publishEvery must be at least 1, got " + publishEvery);
    }
    if (batchGroups < 1) {
      throw new IllegalArgumentException("batchGroups must be at least 1, got " + batchGroups);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be positive and finite, got " + learningRate);
    }
    if (lrDecaySteps < 0) {
      throw new IllegalArgumentException(
          "lrDecaySteps must be >= 0 (0: constant learning rate), got " + lrDecaySteps);
    }
    if (!(cooldown >= 0 && cooldown < 1)) {
      throw new IllegalArgumentException("cooldown must be in [0, 1) (0: off), got " + cooldown);
    }
    if (!(importanceClip >= 1) || !Double.isFinite(importanceClip)) {
      throw new IllegalArgumentException(
          "importanceClip must be finite and >= 1, got " + importanceClip);
    }
    if (!(maxGradNorm >= 0) || !Double.isFinite(maxGradNorm)) {
      throw new IllegalArgumentException(
          "maxGradNorm must be finite and >= 0 (0 disables clipping), got " + maxGradNorm);
    }
    if (!(maxLogRatio >= 0) || !Double.isFinite(maxLogRatio)) {
      throw new IllegalArgumentException(
          "maxLogRatio must be finite and >= 0 (0 disables the trust region), got " + maxLogRatio);
    }
    java.util.Objects.requireNonNull(adamReset, "adamReset");
    java.util.Objects.requireNonNull(importanceWeights, "importanceWeights");
    if (adamReset == AdamReset.MAGNET && !algorithm.resetsMagnet()) {
      throw new IllegalArgumentException(
          "adamReset magnet needs an algorithm that resets the magnet (mpo, mpo-rt), not "
              + algorithm.id());
    }
    if (!(adamBeta1 >= 0 && adamBeta1 < 1)) {
      throw new IllegalArgumentException("adamBeta1 must be in [0, 1), got " + adamBeta1);
    }
  }

  /**
   * Adam's learning rate for the step after {@code step} steps of a run without a budget: the decay
   * of {@code lrDecaySteps} alone.
   */
  public double learningRateAt(long step) {
    if (lrDecaySteps == 0) {
      return learningRate;
    }
    return learningRate * lrDecaySteps / (lrDecaySteps + (double) step);
  }

  /**
   * Adam's learning rate for the step after {@code step} steps of a run that has used {@code
   * progress} of its budget: the decay of {@code lrDecaySteps} times the cooldown factor, which is
   * 1 until {@code 1 - cooldown} and then falls linearly to {@link #COOLDOWN_FLOOR} at 1 (and stays
   * there past it).
   *
   * @param progress the fraction of the run's budget used, {@code >= 0}; NaN for a run without a
   *     budget (then no cooldown)
   */
  public double learningRateAt(long step, double progress) {
    return learningRateAt(step) * cooldownFactor(progress);
  }

  /** The cooldown's factor at {@code progress} (see {@link #learningRateAt(long, double)}). */
  public double cooldownFactor(double progress) {
    if (Double.isNaN(progress) || cooldown == 0) {
      return 1.0;
    }
    if (progress < 0) {
      throw new IllegalArgumentException("progress must be >= 0 or NaN, got " + progress);
    }
    double start = 1 - cooldown;
    if (progress <= start) {
      return 1.0;
    }
    double through = Math.min(1.0, (progress - start) / cooldown);
    return 1.0 - (1.0 - COOLDOWN_FLOOR) * through;
  }

  /**
   * The magnet strength in force: {@code alpha}, or 0 for the algorithms without a magnet ({@link
   * LearnerAlgorithm#OMD}, {@link LearnerAlgorithm#SPPO}).
   */
  public double effectiveAlpha() {
    return algorithm == LearnerAlgorithm.OMD || algorithm == LearnerAlgorithm.SPPO ? 0.0 : alpha;
  }

  /** Labelled groups consumed between two POLICY versions: {@code batchGroups * publishEvery}. */
  public int groupsPerVersion() {
    return Math.multiplyExact(batchGroups, publishEvery);
  }

  /** The defaults, with seed 0. */
  public static LearnerHyperparameters defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults (seed 0). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Every field by name (the algorithm by its id), in declaration order: for JSON, the learner's
   * configuration record and the command line's help.
   */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("algorithm", algorithm.id());
    m.put("eta", eta);
    m.put("alpha", alpha);
    m.put("magnetEvery", magnetEvery);
    m.put("publishEvery", publishEvery);
    m.put("batchGroups", batchGroups);
    m.put("learningRate", learningRate);
    m.put("lrDecaySteps", lrDecaySteps);
    m.put("cooldown", cooldown);
    m.put("importanceClip", importanceClip);
    m.put("opponentCorrection", opponentCorrection);
    m.put("maxGradNorm", maxGradNorm);
    m.put("maxLogRatio", maxLogRatio);
    m.put("adamBeta1", adamBeta1);
    m.put("importanceWeights", importanceWeights.id());
    m.put("adamReset", adamReset.id());
    m.put("seed", seed);
    return m;
  }

  /** Builds {@link LearnerHyperparameters}; every setter has a default. */
  public static final class Builder {
    private LearnerAlgorithm algorithm = DEFAULT_ALGORITHM;
    private double eta = DEFAULT_ETA;
    private double alpha = DEFAULT_ALPHA;
    private int magnetEvery = DEFAULT_MAGNET_EVERY;
    private int publishEvery = DEFAULT_PUBLISH_EVERY;
    private int batchGroups = DEFAULT_BATCH_GROUPS;
    private double learningRate = DEFAULT_LEARNING_RATE;
    private int lrDecaySteps = DEFAULT_LR_DECAY_STEPS;
    private double cooldown = DEFAULT_COOLDOWN;
    private double importanceClip = DEFAULT_IMPORTANCE_CLIP;
    private boolean opponentCorrection = DEFAULT_OPPONENT_CORRECTION;
    private double maxGradNorm = DEFAULT_MAX_GRAD_NORM;
    private double maxLogRatio = DEFAULT_MAX_LOG_RATIO;
    private double adamBeta1 = DEFAULT_ADAM_BETA1;
    private AdamReset adamReset = AdamReset.NEVER;
    private dev.lodestone.learner.loss.ImportanceWeights importanceWeights =
        dev.lodestone.learner.loss.ImportanceWeights.TOKEN;
    private long seed;

    private Builder() {}

    /** See {@link LearnerHyperparameters#algorithm()}. */
    public Builder algorithm(LearnerAlgorithm a) {
      this.algorithm = a;
      return this;
    }

    /** See {@link LearnerHyperparameters#eta()}. */
    public Builder eta(double v) {
      this.eta = v;
      return this;
    }

    /** See {@link LearnerHyperparameters#alpha()}. */
    public Builder alpha(double v) {
      this.alpha = v;
      return this;
    }

    /** See {@link LearnerHyperparameters#magnetEvery()}. */
    public Builder magnetEvery(int versions) {
      this.magnetEvery = versions;
      return this;
    }

    /** See {@link LearnerHyperparameters#publishEvery()}. */
    public Builder publishEvery(int steps) {
      this.publishEvery = steps;
      return this;
    }

    /** See {@link LearnerHyperparameters#batchGroups()}. */
    public Builder batchGroups(int groups) {
      this.batchGroups = groups;
      return this;
    }

    /** See {@link LearnerHyperparameters#learningRate()}. */
    public Builder learningRate(double lr) {
      this.learningRate = lr;
      return this;
    }

    /** See {@link LearnerHyperparameters#lrDecaySteps()}. */
    public Builder lrDecaySteps(int h) {
      this.lrDecaySteps = h;
      return this;
    }

    /** See {@link LearnerHyperparameters#cooldown()}. */
    public Builder cooldown(double fraction) {
      this.cooldown = fraction;
      return this;
    }

    /** See {@link LearnerHyperparameters#importanceClip()}. */
    public Builder importanceClip(double c) {
      this.importanceClip = c;
      return this;
    }

    /** See {@link LearnerHyperparameters#opponentCorrection()}. */
    public Builder opponentCorrection(boolean on) {
      this.opponentCorrection = on;
      return this;
    }

    /** See {@link LearnerHyperparameters#maxGradNorm()}. */
    public Builder maxGradNorm(double norm) {
      this.maxGradNorm = norm;
      return this;
    }

    /** See {@link LearnerHyperparameters#maxLogRatio()}. */
    public Builder maxLogRatio(double delta) {
      this.maxLogRatio = delta;
      return this;
    }

    /** See {@link LearnerHyperparameters#importanceWeights()}. */
    public Builder importanceWeights(dev.lodestone.learner.loss.ImportanceWeights weights) {
      this.importanceWeights = java.util.Objects.requireNonNull(weights, "importanceWeights");
      return this;
    }

    /** See {@link LearnerHyperparameters#adamReset()}. */
    public Builder adamReset(AdamReset reset) {
      this.adamReset = java.util.Objects.requireNonNull(reset, "adamReset");
      return this;
    }

    /** See {@link LearnerHyperparameters#adamBeta1()}. */
    public Builder adamBeta1(double beta1) {
      this.adamBeta1 = beta1;
      return this;
    }

    /** See {@link LearnerHyperparameters#seed()}. */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** The validated hyper-parameters. */
    public LearnerHyperparameters build() {
      return new LearnerHyperparameters(
          algorithm,
          eta,
          alpha,
          magnetEvery,
          publishEvery,
          batchGroups,
          learningRate,
          lrDecaySteps,
          cooldown,
          importanceClip,
          opponentCorrection,
          maxGradNorm,
          maxLogRatio,
          adamBeta1,
          importanceWeights,
          adamReset,
          seed);
    }
  }
}
