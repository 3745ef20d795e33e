package dev.lodestone.learner;

import java.util.Objects;

/**
 * The learner's mathematics without the cluster: what {@link LearnerCore} needs to take steps and
 * publish iterates. Immutable, validated in the constructor (the error names the field and the bad
 * value). {@link LearnerConfig#hyperparameters()} derives it from a full configuration; benchmarks
 * build it directly.
 *
 * @param algorithm the update rule
 * @param eta the MMD step size: the proximity term weighs {@code 1/eta}, positive
 * @param alpha the magnet strength, {@code >= 0} (ignored as 0 by {@link LearnerAlgorithm#OMD})
 * @param magnetEvery the magnet is reset to the new iterate every this many POLICY versions, at
 *     least 1 (only for algorithms that reset it)
 * @param publishEvery Adam steps between two published iterates, at least 1
 * @param batchGroups labelled groups per Adam step, at least 1
 * @param learningRate Adam's step size at step 0, positive
 * @param lrDecaySteps the learning rate at step t is {@code learningRate * h / (h + t)} with h this
 *     many steps (a harmonic decay, which lets the last iterate settle under sampling noise); 0:
 *     constant
 * @param importanceClip the truncation {@code c} of the per-token importance weights and of the
 *     opponent weights, at least 1
 * @param opponentCorrection weight each comparison by the opponent's sequence ratio {@code
 *     pi_t(y_j) / mu(y_j)} (see {@link MpoLoss}); off: the plain self-play advantage {@code r_i -
 *     1/2}
 * @param maxGradNorm global gradient-norm clipping, {@code >= 0} (0: off)
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
    double importanceClip,
    boolean opponentCorrection,
    double maxGradNorm,
    long seed) {

  /** Validates every field. */
  public LearnerHyperparameters {
    Objects.requireNonNull(algorithm, "algorithm");
    if (!(eta > 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException("eta must be positive and finite, got " + eta);
    }
    if (!(alpha >= 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
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
    if (!(importanceClip >= 1) || !Double.isFinite(importanceClip)) {
      throw new IllegalArgumentException(
          "importanceClip must be finite and >= 1, got " + importanceClip);
    }
    if (!(maxGradNorm >= 0) || !Double.isFinite(maxGradNorm)) {
      throw new IllegalArgumentException(
          "maxGradNorm must be finite and >= 0 (0 disables clipping), got " + maxGradNorm);
    }
  }

  /** Adam's learning rate for the step after {@code step} steps (see {@code lrDecaySteps}). */
  public double learningRateAt(long step) {
    if (lrDecaySteps == 0) {
      return learningRate;
    }
    return learningRate * lrDecaySteps / (lrDecaySteps + (double) step);
  }

  /** The magnet strength in force: {@code alpha}, or 0 for {@link LearnerAlgorithm#OMD}. */
  public double effectiveAlpha() {
    return algorithm == LearnerAlgorithm.OMD ? 0.0 : alpha;
  }

  /** Labelled groups consumed between two POLICY versions: {@code batchGroups * publishEvery}. */
  public int groupsPerVersion() {
    return Math.multiplyExact(batchGroups, publishEvery);
  }
}
