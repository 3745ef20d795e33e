package dev.lodestone.policy;

/**
 * What one optimizer step did.
 *
 * @param step the optimizer's step count after this call (unchanged when skipped)
 * @param loss the loss value, or NaN when the caller computed the loss itself ({@link
 *     AdamOptimizer#step})
 * @param gradNorm the global L2 norm of the gradients before clipping (NaN or infinite when some
 *     gradient was not finite)
 * @param applied false when the step was skipped because the loss or a gradient was not finite; the
 *     weights are then unchanged and the gradients are zeroed
 * @param clipped true when the gradients were scaled down to the maximum norm
 */
public record StepResult(
    long step, double loss, double gradNorm, boolean applied, boolean clipped) {}
