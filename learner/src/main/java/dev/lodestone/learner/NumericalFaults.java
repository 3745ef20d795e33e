package dev.lodestone.learner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.lodestone.policy.PolicyModel;

/**
 * Fault injection for chaos testing: every {@code every}-th step attempt of a {@link LearnerCore}
 * (applied and skipped steps together, counted from 1) gets a non-finite value, alternately a NaN
 * loss (attempts {@code every}, {@code 3 * every}, ...) and an infinite gradient under a finite
 * loss (attempts {@code 2 * every}, {@code 4 * every}, ...). The core must skip each such step,
 * count it and leave the weights and Adam's state as they were, so that nothing non-finite reaches
 * a published version. The plan depends on the attempt count only, which every checkpoint holds
 * (step plus skipped steps), so a restarted learner injects at the same attempts.
 *
 * @param every the period in step attempts; 0: no faults
 */
public record NumericalFaults(long every) {
  /** No faults. */
  public static final NumericalFaults NONE = new NumericalFaults(0);

  /** What is injected into one attempt. */
  public enum Fault {
    NONE,
    /** The loss becomes NaN (and so does every gradient). */
    NAN_LOSS,
    /** The loss is unchanged; the gradient of the first weight tensor becomes infinite. */
    INFINITE_GRADIENT
  }

  /** Validates the period. */
  public NumericalFaults {
    if (every < 0) {
      throw new IllegalArgumentException("every must be >= 0 (0: no faults), got " + every);
    }
  }

  /** The fault of attempt {@code attempt} (from 1). */
  public Fault at(long attempt) {
    if (every == 0 || attempt % every != 0) {
      return Fault.NONE;
    }
    return (attempt / every) % 2 == 1 ? Fault.NAN_LOSS : Fault.INFINITE_GRADIENT;
  }

  /**
   * The faults among the first attempts of a run that stops at {@code steps} applied steps: how
   * many steps it skips, given that each fault skips its step.
   */
  public long skippedBefore(long steps) {
    long applied = 0;
    long skipped = 0;
    for (long attempt = 1; applied < steps; attempt++) {
      if (at(attempt) == Fault.NONE) {
        applied++;
      } else {
        skipped++;
      }
    }
    return skipped;
  }

  /**
   * {@code loss} with {@code fault} applied: NaN times the loss; or the loss plus {@code (x - x') *
   * M * M} summed, with {@code x} the first weight tensor of {@code model} as recorded for
   * backpropagation, {@code x'} the same values detached and {@code M} the largest float: its value
   * is 0, its gradient {@code M * M}, infinite in float32.
   */
  static NDArray apply(Fault fault, NDManager m, NDArray loss, PolicyModel model) {
    return switch (fault) {
      case NONE -> loss;
      case NAN_LOSS -> loss.mul(Float.NaN);
      case INFINITE_GRADIENT -> {
        Parameter first = model.parameters().values().iterator().next();
        NDArray x = m.zeros(first.getArray().getShape()).add(first.getArray());
        NDArray zero = x.sub(x.stopGradient()).mul(Float.MAX_VALUE).mul(Float.MAX_VALUE).sum();
        yield loss.add(zero);
      }
    };
  }
}
