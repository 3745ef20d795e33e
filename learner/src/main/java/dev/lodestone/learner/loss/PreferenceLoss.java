package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDManager;

/**
 * A preference-optimization loss over a batch of labelled groups: one implementation per algorithm,
 * each citing its paper and equation.
 *
 * <p>A training step calls the two halves in order: {@link #advantages} once per batch (detached,
 * as tensors), then {@link #loss}, whose total the optimizer differentiates. Both see the batch
 * scored by the trained policy pi_theta, the previous iterate pi_t, the magnet rho (when {@link
 * #usesMagnet()}) and the behaviour policy mu.
 */
public interface PreferenceLoss {

  /** The algorithm's identifier, as on the command line and in metrics. */
  String name();

  /** Whether the loss reads the magnet's log-probabilities (else {@code logMagnet} is null). */
  boolean usesMagnet();

  /** The batch's advantages, no gradient. */
  Advantages advantages(NDManager manager, ScoredBatch scored);

  /** The loss of the batch given its advantages. */
  LossOutput loss(NDManager manager, ScoredBatch scored, Advantages advantages);

  /** {@link #advantages} then {@link #loss}. */
  default LossOutput compute(NDManager manager, ScoredBatch scored) {
    return loss(manager, scored, advantages(manager, scored));
  }
}
