package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;

/**
 * A loss and its named diagnostics (the learner publishes them as {@code loss/policy}, {@code
 * kl/magnet}, {@code kl/previous}, {@code reward/mean}, ...).
 *
 * @param total the scalar loss, differentiable in theta
 * @param policy the policy-gradient part {@code -(1/B) sum A w log pi}
 * @param klMagnet mean over response tokens of {@code KL(pi_theta || rho)}; NaN without a magnet
 * @param klPrevious mean over response tokens of {@code KL(pi_theta || pi_t)}
 * @param rewardMean mean self-play reward {@code r_i = mean_j p_ij} over the rows
 * @param meanOpponentWeight mean opponent weight {@code v_j} over compared rows
 * @param meanWeight mean truncated importance weight over response tokens
 * @param clippedFraction fraction of response tokens whose weight was truncated at c
 * @param trustRegionFraction fraction of rows the trust region dropped from the policy term
 * @param advantages the advantages used, per row
 */
public record LossOutput(
    NDArray total,
    double policy,
    double klMagnet,
    double klPrevious,
    double rewardMean,
    double meanOpponentWeight,
    double meanWeight,
    double clippedFraction,
    double trustRegionFraction,
    double[] advantages) {}
