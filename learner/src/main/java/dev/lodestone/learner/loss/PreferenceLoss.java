package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDManager;

/**
 * A preference-optimization loss over a batch of labelled groups: one implementation per algorithm,
 * each citing its paper and equation.
 *
 * <p>A training step calls the two halves in order: {@link #advantages} once per batch (detached,
 * as tensors), then {@link #loss}, whose total the optimizer differentiates. Both see the batch
 * scored by the trained policy pi_theta, the previous iterate pi_t, the magnet rho (when {@link
 * #usesMagnet()}) and the behaviour policy mu, and by the extra policy where the loss has one
 * ({@link #extraPolicy()}).
 */
public interface PreferenceLoss {

  /** The algorithm's identifier, as on the command line and in metrics. */
  String name();

  /** Whether the loss reads the magnet's log-probabilities (else {@code logMagnet} is null). */
  boolean usesMagnet();

  /** A policy beside pi_theta, pi_t, rho and mu that a loss reads. */
  enum ExtraPolicy {
    /** None. */
    NONE,
    /**
     * The iterate before pi_t, pi_{t-1} (pi_0 at version 0): the learner keeps it and scores the
     * batch by it ({@code ScoredBatch.logExtraTarget}).
     */
    OLDER_ITERATE,
    /**
     * An extragradient step: the learner takes the step once with {@code logExtraTarget} null,
     * scores the batch by the weights that step reached (the extrapolated point), restores the
     * weights and Adam's state, and takes the step again with those log-probabilities.
     */
    EXTRAPOLATED
  }

  /** The extra policy the loss reads; {@link ExtraPolicy#NONE} unless overridden. */
  default ExtraPolicy extraPolicy() {
    return ExtraPolicy.NONE;
  }

  /** The batch's advantages, no gradient. */
  Advantages advantages(NDManager manager, ScoredBatch scored);

  /** The loss of the batch given its advantages. */
  LossOutput loss(NDManager manager, ScoredBatch scored, Advantages advantages);

  /** {@link #advantages} then {@link #loss}. */
  default LossOutput compute(NDManager manager, ScoredBatch scored) {
    return loss(manager, scored, advantages(manager, scored));
  }
}
