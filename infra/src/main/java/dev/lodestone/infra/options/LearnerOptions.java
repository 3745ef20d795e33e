package dev.lodestone.infra.options;

import dev.lodestone.learner.LearnerAlgorithm;
import dev.lodestone.learner.LearnerHyperparameters;
import dev.lodestone.learner.loss.ImportanceWeights;
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
      defaultValue = LearnerHyperparameters.DEFAULT_ALGORITHM_ID,
      description =
          "Learner algorithm: mpo (magnetic preference optimization), mpo-rt (magnet as a shaped"
              + " reward), omd (no magnet: plain online mirror descent), fixed-magnet (the"
              + " magnet is never reset), or a peer: sppo, onpo, nash-md, online-dpo, online-ipo,"
              + " egpo (for the last four the magnet, fixed at version 0, is the reference"
              + " policy and --alpha its regularisation) (default: ${DEFAULT-VALUE}).")
  public String algo;

  @Option(
      names = "--eta",
      paramLabel = "ETA",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_ETA,
      description = "Mirror-descent step size eta (default: ${DEFAULT-VALUE}).")
  public double eta;

  @Option(
      names = "--alpha",
      paramLabel = "ALPHA",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_ALPHA,
      description = "Magnet strength alpha (default: ${DEFAULT-VALUE}).")
  public double alpha;

  @Option(
      names = "--magnet-every",
      paramLabel = "VERSIONS",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_MAGNET_EVERY,
      description =
          "Reset the magnet to the policy every this many policy versions (default: ${DEFAULT-VALUE}).")
  public int magnetEvery;

  @Option(
      names = "--publish-every",
      paramLabel = "STEPS",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_PUBLISH_EVERY,
      description = "Adam steps per published policy version (default: ${DEFAULT-VALUE}).")
  public int publishEvery;

  @Option(
      names = "--batch-groups",
      paramLabel = "N",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_BATCH_GROUPS,
      description = "Labelled groups per learner step (default: ${DEFAULT-VALUE}).")
  public int batchGroups;

  @Option(
      names = "--lr",
      paramLabel = "RATE",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_LEARNING_RATE,
      description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  public double learningRate;

  @Option(
      names = "--lr-decay-steps",
      paramLabel = "STEPS",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_LR_DECAY_STEPS,
      description =
          "Learning-rate decay: the rate at step t is RATE * STEPS / (STEPS + t); 0 keeps it"
              + " constant (default: ${DEFAULT-VALUE}).")
  public int lrDecaySteps;

  @Option(
      names = "--cooldown",
      paramLabel = "FRACTION",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_COOLDOWN,
      description =
          "Over the last FRACTION of the step budget (--steps; the one --minutes fixes; a"
              + " replay's range) the learning rate falls linearly to a tenth of the decay's value,"
              + " so that the iterate stops wandering by the sampling noise before the end; 0: off."
              + " A run without a budget never cools down (default: ${DEFAULT-VALUE}).")
  public double cooldown;

  @Option(
      names = "--importance-clip",
      paramLabel = "C",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_IMPORTANCE_CLIP,
      description =
          "Truncation c of the per-token importance weights and of the opponent weights (default: ${DEFAULT-VALUE}).")
  public double importanceClip;

  @Option(
      names = "--opponent-correction",
      negatable = true,
      // With a default of true, picocli sets a negatable option to false for its positive form
      // and to true for --no-...; the fallback value makes --no-... false and the positive form
      // true.
      fallbackValue = "true",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_OPPONENT_CORRECTION,
      description =
          "Weight each comparison by the opponent's sequence ratio pi_t / mu, so that the"
              + " advantages are measured against the current iterate and not the sampler's older"
              + " version; --no-opponent-correction uses the plain self-play advantage (default:"
              + " ${DEFAULT-VALUE}).")
  public boolean opponentCorrection;

  @Option(
      names = "--max-grad-norm",
      paramLabel = "NORM",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_MAX_GRAD_NORM,
      description = "Global gradient-norm clipping (default: ${DEFAULT-VALUE}).")
  public double maxGradNorm;

  @Option(
      names = "--max-log-ratio",
      paramLabel = "NATS",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_MAX_LOG_RATIO,
      description =
          "Trust region around the current iterate: a response already this far (sequence"
              + " log-ratio) from it in the direction of its advantage stops pushing; 0: off"
              + " (default: ${DEFAULT-VALUE}).")
  public double maxLogRatio;

  @Option(
      names = "--adam-beta1",
      paramLabel = "B",
      defaultValue = "" + LearnerHyperparameters.DEFAULT_ADAM_BETA1,
      description =
          "Adam's first-moment decay, in [0, 1): momentum acts as a delay in a rotating game"
              + " (default: ${DEFAULT-VALUE}).")
  public double adamBeta1;

  @Option(
      names = "--importance-weights",
      paramLabel = "KIND",
      defaultValue = "token",
      description =
          "How the policy-gradient term weighs a response drawn from the sampler's version: token"
              + " (each token by its own ratio pi_theta / mu) or sequence (every token by the"
              + " response's ratio), both truncated at --importance-clip (default:"
              + " ${DEFAULT-VALUE}).")
  public String importanceWeights;

  @Option(
      names = "--adam-reset",
      paramLabel = "WHEN",
      defaultValue = "never",
      description =
          "When Adam's moments are forgotten: never (they carry across versions and magnet"
              + " resets), version (at every published version) or magnet (at every magnet"
              + " reset) (default: ${DEFAULT-VALUE}).")
  public String adamReset;

  /** The algorithm; a bad name is a parameter error. */
  public LearnerAlgorithm algorithm(CommandSpec spec) {
    try {
      return LearnerAlgorithm.parse(algo);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--algo must be one of "
              + java.util.Arrays.stream(LearnerAlgorithm.values())
                  .map(LearnerAlgorithm::id)
                  .collect(java.util.stream.Collectors.joining(", "))
              + ", got '"
              + algo
              + "'");
    }
  }

  /**
   * The hyper-parameters: the options given, the learner's defaults for the others, and {@code
   * seed}; a bad value is a parameter error naming the field.
   */
  public LearnerHyperparameters hyperparameters(CommandSpec spec, long seed) {
    LearnerAlgorithm algorithm = algorithm(spec);
    for (String unused : algorithm.unusedOptions()) {
      if (spec.commandLine().getParseResult().hasMatchedOption(unused)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), unused + " does not apply to --algo " + algorithm.id());
      }
    }
    LearnerHyperparameters.Builder b = LearnerHyperparameters.builder();
    b.algorithm(algorithm).seed(seed);
    b.eta(eta);
    b.alpha(alpha);
    b.magnetEvery(magnetEvery);
    b.publishEvery(publishEvery);
    b.batchGroups(batchGroups);
    b.learningRate(learningRate);
    b.lrDecaySteps(lrDecaySteps);
    b.cooldown(cooldown);
    b.importanceClip(importanceClip);
    b.opponentCorrection(opponentCorrection);
    b.maxGradNorm(maxGradNorm);
    b.maxLogRatio(maxLogRatio);
    b.adamBeta1(adamBeta1);
    try {
      b.adamReset(LearnerHyperparameters.AdamReset.parse(adamReset));
      b.importanceWeights(ImportanceWeights.parse(importanceWeights));
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
