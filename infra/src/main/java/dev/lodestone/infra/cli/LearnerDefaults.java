package dev.lodestone.infra.cli;

/**
 * Publishes the learner's default hyperparameters as system properties {@code lodestone.learner.*},
 * so that {@code --help} shows them ({@code ${sys:...}} in the option descriptions) without
 * repeating the numbers here.
 */
final class LearnerDefaults {
  private LearnerDefaults() {}

  static void publish() {
    for (String name :
        new String[] {
          "eta",
          "alpha",
          "magnetEvery",
          "publishEvery",
          "batchGroups",
          "learningRate",
          "importanceClip",
          "maxGradNorm"
        }) {
      System.setProperty("lodestone.learner." + name, "the learner's tuned default");
    }
  }
}
