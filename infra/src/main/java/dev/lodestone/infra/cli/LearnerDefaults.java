package dev.lodestone.infra.cli;

import dev.lodestone.learner.LearnerHyperparameters;

/**
 * Publishes the learner's default hyperparameters ({@link LearnerHyperparameters#defaults()}) as
 * system properties {@code lodestone.learner.*}, so that {@code --help} shows them ({@code
 * ${sys:...}} in the option descriptions) without repeating the numbers.
 */
final class LearnerDefaults {
  private LearnerDefaults() {}

  static void publish() {
    LearnerHyperparameters.defaults()
        .asMap()
        .forEach((k, v) -> System.setProperty("lodestone.learner." + k, String.valueOf(v)));
  }
}
