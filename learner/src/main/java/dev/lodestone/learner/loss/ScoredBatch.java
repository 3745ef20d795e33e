package dev.lodestone.learner.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lodestone.policy.TokenBatch;

/**
 * A labelled batch scored by the four policies a preference-optimization loss compares: the trained
 * policy pi_theta, the previous iterate pi_t, the magnet rho and the behaviour policy mu that drew
 * the responses. Dimension letters: R response rows, T positions, V vocabulary.
 *
 * @param input the host-side batch
 * @param logPi log pi_theta, (R, T, V), recorded for backpropagation
 * @param logPrevious log pi_t, (R, T, V), no gradient
 * @param logMagnet log rho, (R, T, V), no gradient; null when the loss does not use the magnet
 * @param mask 1 at response positions, (R, T)
 * @param logMu log mu of each response token, (R, T)
 * @param logp log pi_theta of each row's own tokens, (R, T), with gradient
 * @param logpDetached the same without gradient, (R, T)
 * @param logPreviousTarget log pi_t of each row's own tokens, (R, T)
 * @param logMagnetTarget log rho of each row's own tokens, (R, T); null without the magnet
 * @param logExtraTarget log of each row's own tokens under the loss's extra policy ({@link
 *     PreferenceLoss#extraPolicy()}), (R, T), no gradient; null when it has none, or in the first
 *     half of an extragradient step
 */
public record ScoredBatch(
    LabelledBatch input,
    NDArray logPi,
    NDArray logPrevious,
    NDArray logMagnet,
    NDArray mask,
    NDArray logMu,
    NDArray logp,
    NDArray logpDetached,
    NDArray logPreviousTarget,
    NDArray logMagnetTarget,
    NDArray logExtraTarget) {

  /** Derives the per-token arrays from the three (R, T, V) log-probability arrays. */
  public static ScoredBatch of(
      NDManager manager,
      LabelledBatch input,
      NDArray logPi,
      NDArray logPrevious,
      NDArray logMagnet) {
    return of(manager, input, logPi, logPrevious, logMagnet, null);
  }

  /**
   * Derives the per-token arrays from the three (R, T, V) log-probability arrays, with the extra
   * policy's log-probabilities of the rows' tokens, (R, T) (null: none).
   */
  public static ScoredBatch of(
      NDManager manager,
      LabelledBatch input,
      NDArray logPi,
      NDArray logPrevious,
      NDArray logMagnet,
      NDArray logExtraTarget) {
    TokenBatch batch = input.batch();
    NDArray logp = batch.targetLogProbs(logPi); // (R, T, V) -> (R, T)
    return new ScoredBatch(
        input,
        logPi,
        logPrevious,
        logMagnet,
        batch.responseMask(manager), // (R, T)
        manager.create(input.behaviourLogProbs(), new Shape(input.rows(), batch.length())),
        logp,
        logp.stopGradient(),
        batch.targetLogProbs(logPrevious), // (R, T, V) -> (R, T)
        logMagnet == null ? null : batch.targetLogProbs(logMagnet),
        logExtraTarget);
  }

  /** Number of response tokens in the batch. */
  public double responseTokens() {
    return input.batch().responseTokenCount();
  }

  /** Per row, the sum over its response positions of a (R, T) array: (R, T) -> (R). */
  public NDArray responseSum(NDArray perToken) {
    return perToken.mul(mask).sum(new int[] {1});
  }
}
