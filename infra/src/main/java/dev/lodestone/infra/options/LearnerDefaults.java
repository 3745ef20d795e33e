package dev.lodestone.infra.options;

import dev.lodestone.learner.LearnerHyperparameters;

/**
 * Publishes the learner's default hyperparameters ({@link LearnerHyperparameters#defaults()}) as
 * system properties {@code lodestone.learner.*}, so that {@code --help} shows them ({@code
 * ${sys:...}} in the option descriptions) without repeating the numbers.
 */
public final class LearnerDefaults {
  private LearnerDefaults() {}

  public static void publish() {
    LearnerHyperparameters.defaults()
        .asMap()
        .forEach((k, v) -> System.setProperty("lodestone.learner." + k, String.valueOf(v)));
  }
}
