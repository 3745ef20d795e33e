package dev.lodestone.learner;

import dev.lodestone.learner.loss.EgpoLoss;
import dev.lodestone.learner.loss.MpoLoss;
import dev.lodestone.learner.loss.MpoRtLoss;
import dev.lodestone.learner.loss.NashMdLoss;
import dev.lodestone.learner.loss.OmdLoss;
import dev.lodestone.learner.loss.OnlineDpoLoss;
import dev.lodestone.learner.loss.OnlineIpoLoss;
import dev.lodestone.learner.loss.OnpoLoss;
import dev.lodestone.learner.loss.PreferenceLoss;
import dev.lodestone.learner.loss.SppoLoss;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The update rules the learner implements (docs/pipeline.md): each has its loss ({@link #loss}) and
 * says whether the magnet moves.
 */
public enum LearnerAlgorithm {
  /**
   * Magnetic Preference Optimization (arXiv 2410.16714): the MMD loss with a magnet KL term, the
   * magnet reset to the published iterate every {@code magnetEvery} versions.
   */
  MPO("mpo"),
  /**
   * MPO with the magnet as a shaped reward instead of a KL term: {@code r~_i = r_i - alpha sum_k
   * log(pi_theta / rho)}, advantages centred over the group.
   */
  MPO_RT("mpo-rt"),
  /** Online mirror descent: alpha = 0, the magnet is never used (expected to cycle). */
  OMD("omd"),
  /** MMD with the magnet fixed at version 0 (expected to stall at the regularized equilibrium). */
  FIXED_MAGNET("fixed-magnet"),
  /**
   * Self-Play Preference Optimization (arXiv 2405.00675): the square loss of the log-ratio to pi_t
   * against eta (P - 1/2); no magnet.
   */
  SPPO("sppo"),
  /**
   * Nash Mirror Descent (arXiv 2312.00886): the mirror-descent step from, and against opponents of,
   * the geometric mixture of pi_t and the magnet (fixed at version 0) with weight eta alpha.
   */
  NASH_MD("nash-md"),
  /**
   * Online DPO (arXiv 2402.04792) with the magnet (fixed at version 0) as reference, beta alpha.
   */
  ONLINE_DPO("online-dpo"),
  /** Online IPO (arXiv 2403.08635) with the magnet (fixed at version 0) as reference, tau alpha. */
  ONLINE_IPO("online-ipo"),
  /**
   * Optimistic online mirror descent (ONPO, arXiv 2502.16852): the mirror-descent step from pi_t
   * with the advantage {@code 2 A_t - A_{t-1}}, pi_{t-1} kept by the learner; no magnet.
   */
  ONPO("onpo"),
  /**
   * Extragradient Preference Optimization (EGPO, arXiv 2503.08942): extragradient steps on the
   * online IPO loss against the magnet (fixed at version 0), tau alpha.
   */
  EGPO("egpo");

  private final String id;

  LearnerAlgorithm(String id) {
    this.id = id;
  }

  /** The identifier used on the command line, in records and metrics, e.g. {@code mpo-rt}. */
  public String id() {
    return id;
  }

  /** Whether the magnet is moved to the published iterate every {@code magnetEvery} versions. */
  public boolean resetsMagnet() {
    return this == MPO || this == MPO_RT;
  }

  /** Whether the loss has the magnet KL term {@code alpha KL(pi_theta || rho)}. */
  public boolean hasMagnetKl() {
    return this == MPO || this == FIXED_MAGNET;
  }

  /** Whether the reward is shaped by the magnet (MPO-RT). */
  public boolean shapesReward() {
    return this == MPO_RT;
  }

  /**
   * Parses an identifier ({@code mpo}, {@code mpo-rt}, {@code omd}, {@code fixed-magnet}, {@code
   * sppo}, {@code nash-md}, {@code online-dpo}, {@code online-ipo}, {@code onpo}, {@code egpo});
   * the enum constant names are accepted too, case-insensitively.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LearnerAlgorithm parse(String text) {
    if (text != null) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      for (LearnerAlgorithm a : values()) {
        if (a.id.equals(t) || a.name().toLowerCase(Locale.ROOT).equals(t)) {
          return a;
        }
      }
    }
    throw new IllegalArgumentException(
        "algorithm must be one of "
            + Arrays.stream(values()).map(LearnerAlgorithm::id).collect(Collectors.joining(", "))
            + ", got "
            + (text == null ? "null" : "'" + text + "'"));
  }

  /** The algorithm's loss with the hyper-parameters {@code hp}. */
  public PreferenceLoss loss(LearnerHyperparameters hp) {
    return switch (this) {
      case MPO, FIXED_MAGNET ->
          new MpoLoss(
              id,
              hp.eta(),
              hp.alpha(),
              hp.importanceClip(),
              hp.maxLogRatio(),
              hp.opponentCorrection(),
              hp.importanceWeights());
      case MPO_RT ->
          new MpoRtLoss(
              hp.eta(),
              hp.alpha(),
              hp.importanceClip(),
              hp.maxLogRatio(),
              hp.opponentCorrection(),
              hp.importanceWeights());
      case OMD ->
          new OmdLoss(
              hp.eta(),
              hp.importanceClip(),
              hp.maxLogRatio(),
              hp.opponentCorrection(),
              hp.importanceWeights());
      case SPPO -> new SppoLoss(hp.eta(), hp.importanceClip(), hp.opponentCorrection());
      case NASH_MD ->
          new NashMdLoss(hp.eta(), hp.alpha(), hp.importanceClip(), hp.importanceWeights());
      case ONLINE_DPO -> new OnlineDpoLoss(hp.alpha());
      case ONLINE_IPO -> new OnlineIpoLoss(hp.alpha());
      case ONPO ->
          new OnpoLoss(hp.eta(), hp.importanceClip(), hp.maxLogRatio(), hp.importanceWeights());
      case EGPO -> new EgpoLoss(hp.alpha(), hp.importanceClip());
    };
  }

  /**
   * The hyper-parameters the algorithm does not read, by their option names ({@code
   * --magnet-every}, ...): a command refuses them when they are given with it.
   */
  public List<String> unusedOptions() {
    return switch (this) {
      case MPO, MPO_RT -> List.of();
      case OMD -> List.of("--alpha", "--magnet-every");
      case FIXED_MAGNET -> List.of("--magnet-every");
      case SPPO -> List.of("--alpha", "--magnet-every", "--max-log-ratio", "--importance-weights");
      case NASH_MD -> List.of("--magnet-every", "--max-log-ratio", "--opponent-correction");
      case ONPO -> List.of("--alpha", "--magnet-every", "--opponent-correction");
      case EGPO ->
          List.of(
              "--eta",
              "--magnet-every",
              "--max-log-ratio",
              "--opponent-correction",
              "--importance-weights");
      case ONLINE_DPO, ONLINE_IPO ->
          List.of(
              "--eta",
              "--magnet-every",
              "--max-log-ratio",
              "--opponent-correction",
              "--importance-clip",
              "--importance-weights");
    };
  }

  @Override
  public String toString() {
    return id;
  }
}
