package dev.lodestone.judge.eval;

import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.ByteTokenizer;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.warmup.WarmupConfig;
import dev.lodestone.policy.warmup.WarmupCorpus;
import dev.lodestone.policy.warmup.WarmupListener;
import dev.lodestone.policy.warmup.WarmupTrainer;

/** Small models with a game's strategies partly learnt, for the evaluator's tests. */
final class EvalModels {
  private EvalModels() {}

  /** d 32, 1 layer, context 32: a prompt of 17 bytes and "scissors" + EOS fit. */
  static final ModelConfig SMALL =
      new ModelConfig(ByteTokenizer.VOCAB_SIZE, 32, 2, 1, 32, 64, true, 1e-5);

  /**
   * A model trained for {@code steps} exact warm-up steps towards {@code target} over the game's
   * strategies: with few steps some mass stays on invalid answers.
   */
  static PolicyModel trained(PreferenceGame game, double[] target, int steps, long seed) {
    PolicyModel model = PolicyModel.create(SMALL, Engines.device("cpu"), seed);
    WarmupTrainer.train(
        model,
        WarmupCorpus.of(game.prompt(), game.strategies(), target),
        new WarmupConfig(steps, 32, 1e-2, seed, 0, 0.0, 1.0),
        WarmupListener.NONE);
    return model;
  }
}
