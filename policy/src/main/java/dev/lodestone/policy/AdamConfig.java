package dev.lodestone.policy;

/**
 * Adam's hyper-parameters (Kingma and Ba, arXiv 1412.6980), without weight decay.
 *
 * @param learningRate step size (alpha), &gt; 0
 * @param beta1 decay of the first-moment estimate, in [0, 1)
 * @param beta2 decay of the second-moment estimate, in [0, 1)
 * @param epsilon added to the root of the second moment, &gt; 0
 */
public record AdamConfig(double learningRate, double beta1, double beta2, double epsilon) {

  /** Validates every field; the error names the field and the bad value. */
  public AdamConfig {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "learningRate must be positive and finite, got " + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
    }
  }

  /** Betas 0.9 / 0.999, epsilon 1e-8. */
  public static AdamConfig of(double learningRate) {
    return new AdamConfig(learningRate, 0.9, 0.999, 1e-8);
  }
}
