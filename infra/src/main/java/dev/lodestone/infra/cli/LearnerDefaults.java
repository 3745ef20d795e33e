package dev.lodestone.infra.cli;

import dev.lodestone.learner.LearnerConfig;
import java.util.Map;

/**
 * Publishes the learner's default hyperparameters ({@link LearnerConfig}'s constants) as system
 * properties {@code lodestone.learner.*}, so that {@code --help} shows them ({@code ${sys:...}} in
 * the option descriptions) without repeating the numbers.
 */
final class LearnerDefaults {
  private LearnerDefaults() {}

  static void publish() {
    Map<String, Object> defaults =
        Map.of(
            "eta", LearnerConfig.DEFAULT_ETA,
            "alpha", LearnerConfig.DEFAULT_ALPHA,
            "magnetEvery", LearnerConfig.DEFAULT_MAGNET_EVERY,
            "publishEvery", LearnerConfig.DEFAULT_PUBLISH_EVERY,
            "batchGroups", LearnerConfig.DEFAULT_BATCH_GROUPS,
            "learningRate", LearnerConfig.DEFAULT_LEARNING_RATE,
            "lrDecaySteps", LearnerConfig.DEFAULT_LR_DECAY_STEPS,
            "importanceClip", LearnerConfig.DEFAULT_IMPORTANCE_CLIP,
            "opponentCorrection", LearnerConfig.DEFAULT_OPPONENT_CORRECTION,
            "maxGradNorm", LearnerConfig.DEFAULT_MAX_GRAD_NORM);
    defaults.forEach((k, v) -> System.setProperty("lodestone.learner." + k, String.valueOf(v)));
  }
}
