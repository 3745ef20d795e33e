package dev.lodestone.policy.warmup;

/** Receives warm-up progress, after every step. */
@FunctionalInterface
public interface WarmupListener {

  /** Ignores progress. */
  WarmupListener NONE = p -> {};

  /**
   * One step done.
   *
   * @param progress the step, its loss and, on evaluation steps, the exact distance to the target
   */
  void onStep(Progress progress);

  /**
   * Progress after a step.
   *
   * @param step steps done
   * @param maxSteps the budget
   * @param loss this step's loss (the weighted negative log-likelihood per response)
   * @param evaluation the exact check made after this step, or null when none was made
   */
  record Progress(int step, int maxSteps, double loss, WarmupEvaluation evaluation) {}
}
