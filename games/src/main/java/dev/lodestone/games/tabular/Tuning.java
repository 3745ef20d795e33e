package dev.lodestone.games.tabular;

import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import java.util.ArrayList;
import java.util.List;

/**
 * The same tuning budget for every tabular algorithm: a grid of {@value #BUDGET} settings over its
 * own parameters, each run on {@link #GAMES}, games that are not in the benchmark's suite, and the
 * setting with the lowest mean {@code log10} final gap kept (the average iterate's for
 * multiplicative weights, whose theory is about the average; the last iterate's for every other
 * algorithm). The first setting of the grid wins a tie.
 *
 * <table>
 *   <caption>The grids</caption>
 *   <tr><th>algorithm</th><th>grid (3 x 3, or 9 values)</th></tr>
 *   <tr><td>mpo</td><td>alpha 0.03, 0.1, 0.3 x a reset every 5, 20, 80 steps; eta 1</td></tr>
 *   <tr><td>mpo-path</td><td>eta 0.3, 1, 3 x first alpha 0.25, 0.5, 1</td></tr>
 *   <tr><td>mpo-staged</td><td>eta 100, 1000, 10000 x scale ratio 0.5, 1, 2</td></tr>
 *   <tr><td>mmd, nash-md</td><td>eta 0.3, 1, 3 x alpha (beta) 0.03, 0.1, 0.3</td></tr>
 *   <tr><td>omd, onpo, sppo</td><td>eta 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100</td></tr>
 * </table>
 */
public final class Tuning {
  private Tuning() {}

  /** Settings per algorithm. */
  public static final int BUDGET = 9;

  /** The tuning games: random games with seeds the suite does not use. */
  public static final List<String> GAMES =
      List.of("random:5:101", "random:5:102", "random:10:101", "random:10:102", "random:30:101");

  private static final double[] THREE_ETAS = {0.3, 1.0, 3.0};
  private static final double[] THREE_ALPHAS = {0.03, 0.1, 0.3};
  private static final double[] NINE_ETAS = {0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100};

  /**
   * The result of tuning one algorithm.
   *
   * @param best the setting kept
   * @param score its mean log10 final gap over the tuning games
   * @param scores every setting's score, in grid order
   */
  public record Result(TabularConfig best, double score, List<Double> scores) {}

  /** The algorithm's grid of {@link #BUDGET} settings, around its defaults. */
  public static List<TabularConfig> grid(Algorithm algorithm) {
    TabularConfig d = algorithm.defaults();
    List<TabularConfig> g = new ArrayList<>();
    switch (algorithm) {
      case MPO -> {
        for (double a : THREE_ALPHAS) {
          for (int k : new int[] {5, 20, 80}) {
            g.add(d.withConstantAlpha(a).withMagnet(new TabularConfig.MagnetSchedule.Every(k)));
          }
        }
      }
      case MPO_PATH -> {
        for (double eta : THREE_ETAS) {
          for (double a : new double[] {0.25, 0.5, 1.0}) {
            g.add(d.withEta(eta).withConstantAlpha(a));
          }
        }
      }
      case MPO_STAGED -> {
        TabularConfig.AlphaRule.ScaleMatched rule =
            (TabularConfig.AlphaRule.ScaleMatched) d.alphaRule();
        for (double eta : new double[] {100, 1000, 10000}) {
          for (double ratio : new double[] {0.5, 1.0, 2.0}) {
            g.add(
                d.withEta(eta)
                    .withAlphaRule(
                        new TabularConfig.AlphaRule.ScaleMatched(
                            ratio, rule.decay(), rule.maxLogGain(), rule.min(), rule.max())));
          }
        }
      }
      case MMD, NASH_MD -> {
        for (double eta : THREE_ETAS) {
          for (double a : THREE_ALPHAS) {
            g.add(d.withEta(eta).withConstantAlpha(a));
          }
        }
      }
      case OMD, ONPO, SPPO -> {
        for (double eta : NINE_ETAS) {
          g.add(d.withEta(eta));
        }
      }
    }
    return List.copyOf(g);
  }

  /** Runs the algorithm's grid on {@link #GAMES} for {@code iterations} each and keeps the best. */
  public static Result tune(Algorithm algorithm, int iterations) {
    List<PreferenceGame> games = GAMES.stream().map(Games::parse).toList();
    List<Double> scores = new ArrayList<>();
    TabularConfig best = null;
    double bestScore = Double.POSITIVE_INFINITY;
    for (TabularConfig config : grid(algorithm)) {
      double sum = 0;
      for (PreferenceGame g : games) {
        double[] start = g.initial().orElse(Starts.uniform(g.size()));
        SolverTrace t = SolverRunner.run(algorithm.create(g, start, config), g, iterations);
        double gap = t.hasAverage() ? t.finalAverageGap() : t.finalGap();
        sum += Math.log10(Math.max(gap, 1e-16));
      }
      double score = sum / games.size();
      scores.add(score);
      if (score < bestScore) {
        bestScore = score;
        best = config;
      }
    }
    return new Result(best, bestScore, List.copyOf(scores));
  }
}
