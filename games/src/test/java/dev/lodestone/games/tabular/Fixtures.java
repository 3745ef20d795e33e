package dev.lodestone.games.tabular;

/** Small games as explicit matrices (the learner never sees game code). */
final class Fixtures {

  private Fixtures() {}

  /** Rock-paper-scissors. */
  static final double[][] RPS = {{0.5, 0.0, 1.0}, {1.0, 0.5, 0.0}, {0.0, 1.0, 0.5}};

  /** The perturbed rock-paper-scissors of docs/design.md; Nash (1/7, 3/7, 3/7). */
  static final double[][] PERTURBED_RPS = {
    {0.5, 0.0, 1.0}, {1.0, 0.5, 1.0 / 3.0}, {0.0, 2.0 / 3.0, 0.5}
  };

  /** The skewed start of docs/design.md. */
  static final double[] START = {0.7, 0.2, 0.1};

  static TabularConfig config(double eta, double alpha) {
    return new TabularConfig(
        eta,
        alpha,
        new TabularConfig.MagnetSchedule.Never(),
        new TabularConfig.AlphaRule.Constant());
  }

  static TabularConfig mpo(double eta, double alpha, int every) {
    return new TabularConfig(
        eta,
        alpha,
        new TabularConfig.MagnetSchedule.Every(every),
        new TabularConfig.AlphaRule.Constant());
  }
}
