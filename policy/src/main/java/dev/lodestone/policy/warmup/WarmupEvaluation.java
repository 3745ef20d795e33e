package dev.lodestone.policy.warmup;

import java.util.List;

/**
 * The exact response distribution of a model against the warm-up targets, from sequence
 * probabilities (teacher forcing, EOS included).
 *
 * @param probabilities per task, the exact probability of each target response
 * @param maxAbsError the largest |probability - target| over all tasks and responses
 * @param minValidMass the smallest, over tasks, total probability of the target responses
 */
public record WarmupEvaluation(
    List<double[]> probabilities, double maxAbsError, double minValidMass) {

  /** True when every probability is within {@code tol} and at most {@code tol} mass is invalid. */
  public boolean within(double tol) {
    return maxAbsError <= tol && 1.0 - minValidMass <= tol;
  }
}
