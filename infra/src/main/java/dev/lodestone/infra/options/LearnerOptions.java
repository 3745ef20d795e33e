package dev.lodestone.infra.options;

import dev.lodestone.learner.LearnerAlgorithm;
import dev.lodestone.learner.LearnerHyperparameters;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The learner's algorithm and hyperparameters ({@link LearnerHyperparameters}). An option left out
 * keeps the learner's tuned default ({@link LearnerHyperparameters}'s Javadoc says how each was
 * chosen).
 */
public final class LearnerOptions {

  @Option(
      names = "--algo",
      paramLabel = "ALGO",
      defaultValue = "mpo",
      description =
          "Learner algorithm: mpo (magnetic preference optimization), mpo-rt (magnet as a shaped"
              + " reward), omd (no magnet: plain online mirror descent) or fixed-magnet (the"
              + " magnet is never reset) (default: ${DEFAULT-VALUE}).")
  public String algo;

  @Option(
      names = "--eta",
      paramLabel = "ETA",
      description = "Mirror-descent step size eta (default: ${sys:lodestone.learner.eta}).")
  public Double eta;

  @Option(
      names = "--alpha",
      paramLabel = "ALPHA",
      description = "Magnet strength alpha (default: ${sys:lodestone.learner.alpha}).")
  public Double alpha;

  @Option(
      names = "--magnet-every",
      paramLabel = "VERSIONS",
      description =
          "Reset the magnet to the policy every this many policy versions (default: ${sys:lodestone.learner.magnetEvery}).")
  public Integer magnetEvery;

  @Option(
      names = "--publish-every",
      paramLabel = "STEPS",
      description =
          "Adam steps per published policy version (default: ${sys:lodestone.learner.publishEvery}).")
  public Integer publishEvery;

  @Option(
      names = "--batch-groups",
      paramLabel = "N",
      description =
          "Labelled groups per learner step (default: ${sys:lodestone.learner.batchGroups}).")
  public Integer batchGroups;

  @Option(
      names = "--lr",
      paramLabel = "RATE",
      description = "Adam learning rate (default: ${sys:lodestone.learner.learningRate}).")
  public Double learningRate;

  @Option(
      names = "--lr-decay-steps",
      paramLabel = "STEPS",
      description =
          "Learning-rate decay: the rate at step t is RATE * STEPS / (STEPS + t); 0 keeps it"
              + " constant (default: ${sys:lodestone.learner.lrDecaySteps}).")
  public Integer lrDecaySteps;

  @Option(
      names = "--cooldown",
      paramLabel = "FRACTION",
      description =
          "Over the last FRACTION of a bounded run (--steps or --minutes) the learning rate falls"
              + " linearly to a tenth of the decay's value, so that the iterate stops wandering by"
              + " the sampling noise before the end; 0: off. A run without a budget never cools"
              + " down (default: ${sys:lodestone.learner.cooldown}).")
  public Double cooldown;

  @Option(
      names = "--importance-clip",
      paramLabel = "C",
      description =
          "Truncation c of the per-token importance weights and of the opponent weights (default: ${sys:lodestone.learner.importanceClip}).")
  public Double importanceClip;

  @Option(
      names = "--opponent-correction",
      negatable = true,
      description =
          "Weight each comparison by the opponent's sequence ratio pi_t / mu, so that the"
              + " advantages are measured against the current iterate and not the sampler's older"
              + " version; --no-opponent-correction uses the plain self-play advantage (default:"
              + " ${sys:lodestone.learner.opponentCorrection}).")
  public Boolean opponentCorrection;

  @Option(
      names = "--max-grad-norm",
      paramLabel = "NORM",
      description =
          "Global gradient-norm clipping (default: ${sys:lodestone.learner.maxGradNorm}).")
  public Double maxGradNorm;

  @Option(
      names = "--max-log-ratio",
      paramLabel = "NATS",
      description =
          "Trust region around the current iterate: a response already this far (sequence"
              + " log-ratio) from it in the direction of its advantage stops pushing; 0: off"
              + " (default: ${sys:lodestone.learner.maxLogRatio}).")
  public Double maxLogRatio;

  @Option(
      names = "--adam-beta1",
      paramLabel = "B",
      description =
          "Adam's first-moment decay, in [0, 1): momentum acts as a delay in a rotating game"
              + " (default: ${sys:lodestone.learner.adamBeta1}).")
  public Double adamBeta1;

  /** The algorithm; a bad name is a parameter error. */
  public LearnerAlgorithm algorithm(CommandSpec spec) {
    try {
      return LearnerAlgorithm.parse(algo);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--algo must be mpo, mpo-rt, omd or fixed-magnet, got '" + algo + "'");
    }
  }

  /**
   * The hyper-parameters: the options given, the learner's defaults for the others, and {@code
   * seed}; a bad value is a parameter error naming the field.
   */
  public LearnerHyperparameters hyperparameters(CommandSpec spec, long seed) {
    LearnerHyperparameters.Builder b = LearnerHyperparameters.builder();
    b.algorithm(algorithm(spec)).seed(seed);
    if (eta != null) {
      b.eta(eta);
    }
    if (alpha != null) {
      b.alpha(alpha);
    }
    if (magnetEvery != null) {
      b.magnetEvery(magnetEvery);
    }
    if (publishEvery != null) {
      b.publishEvery(publishEvery);
    }
    if (batchGroups != null) {
      b.batchGroups(batchGroups);
    }
    if (learningRate != null) {
      b.learningRate(learningRate);
    }
    if (lrDecaySteps != null) {
      b.lrDecaySteps(lrDecaySteps);
    }
    if (cooldown != null) {
      b.cooldown(cooldown);
    }
    if (importanceClip != null) {
      b.importanceClip(importanceClip);
    }
    if (opponentCorrection != null) {
      b.opponentCorrection(opponentCorrection);
    }
    if (maxGradNorm != null) {
      b.maxGradNorm(maxGradNorm);
    }
    if (maxLogRatio != null) {
      b.maxLogRatio(maxLogRatio);
    }
    if (adamBeta1 != null) {
      b.adamBeta1(adamBeta1);
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
