package dev.lodestone.infra.cli;

import dev.lodestone.judge.game.PreferenceGame;
import dev.lodestone.learner.tabular.WinRateOracle;

/**
 * Adapts a game of the judge module to the payoff function the learner's tabular solvers see: the
 * two modules never import each other, the command line joins them.
 */
final class GameOracle implements WinRateOracle {

  private final PreferenceGame game;

  GameOracle(PreferenceGame game) {
    this.game = game;
  }

  @Override
  public int size() {
    return game.size();
  }

  @Override
  public void winRates(double[] pi, double[] out) {
    game.winRatesInto(pi, out);
  }
}
