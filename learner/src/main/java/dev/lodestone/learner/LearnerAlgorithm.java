package dev.lodestone.learner;

import dev.lodestone.learner.loss.MpoLoss;
import dev.lodestone.learner.loss.MpoRtLoss;
import dev.lodestone.learner.loss.OmdLoss;
import dev.lodestone.learner.loss.PreferenceLoss;
import java.util.Arrays;
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
  FIXED_MAGNET("fixed-magnet");

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
   * Parses an identifier ({@code mpo}, {@code mpo-rt}, {@code omd}, {@code fixed-magnet}); the enum
   * constant names are accepted too, case-insensitively.
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
              hp.opponentCorrection());
      case MPO_RT ->
          new MpoRtLoss(
              hp.eta(), hp.alpha(), hp.importanceClip(), hp.maxLogRatio(), hp.opponentCorrection());
      case OMD ->
          new OmdLoss(hp.eta(), hp.importanceClip(), hp.maxLogRatio(), hp.opponentCorrection());
    };
  }

  @Override
  public String toString() {
    return id;
  }
}
