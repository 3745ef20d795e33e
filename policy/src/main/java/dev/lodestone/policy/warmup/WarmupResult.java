package dev.lodestone.policy.warmup;

import java.time.Duration;

/**
 * The outcome of a warm-up run.
 *
 * @param steps optimizer steps taken
 * @param finalLoss the last step's loss
 * @param evaluation the exact check after the last step
 * @param converged true when the run stopped because the distribution was within tolerance
 * @param elapsed wall time of the run
 */
public record WarmupResult(
    int steps,
    double finalLoss,
    WarmupEvaluation evaluation,
    boolean converged,
    Duration elapsed) {}
