package dev.lodestone.infra.run;

import ai.djl.Device;
import dev.lodestone.games.Games;
import dev.lodestone.games.NashSolver;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.policy.warmup.WarmupCache;
import dev.lodestone.policy.warmup.WarmupConfig;
import dev.lodestone.policy.warmup.WarmupCorpus;
import dev.lodestone.policy.warmup.WarmupListener;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A task of the command line: its specification ({@code rps}, {@code perturbed-rps}, {@code
 * condorcet}, {@code random:N:SEED}, {@code game:PATH}), its game, and what the components derive
 * from it (the default model id, the warm-up corpus, the exact Nash equilibrium).
 *
 * @param spec the task specification, stamped on the sample groups
 * @param game the game
 */
public record TaskSetup(String spec, PreferenceGame game) {

  /** Checks the parts. */
  public TaskSetup {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(game, "game");
  }

  /** The task every command takes when none is given. */
  public static final String DEFAULT_TASK = "perturbed-rps";

  /**
   * The task of a specification.
   *
   * @throws dev.lodestone.games.InvalidGameException with a one-line message when it is not a game
   */
  public static TaskSetup of(String spec) {
    return new TaskSetup(spec, Games.parse(spec));
  }

  /**
   * The model id the components use when none is given: the task specification with every character
   * outside {@code [A-Za-z0-9._-]} replaced by {@code -}, at most 100 characters.
   */
  public String defaultModelId() {
    String id = spec.replaceAll("[^A-Za-z0-9._-]", "-");
    return id.length() > 100 ? id.substring(0, 100) : id;
  }

  /**
   * What the warm-up teaches: the game's prompt answered with its strategies at the game's {@code
   * initial} distribution (uniform when the game has none).
   */
  public WarmupCorpus warmupCorpus() {
    double[] initial = game.initial().orElseGet(() -> uniform(game.size()));
    return WarmupCorpus.of(game.prompt(), game.strategies(), initial);
  }

  /**
   * The warmed-up weights of this task for a model architecture, from the cache or trained now (and
   * stored).
   *
   * @param cacheDir the warm-up cache directory
   * @param seed the warm-up seed (initial weights and draws)
   * @param listener warm-up progress, when it trains
   * @return the weights blob ({@code PolicyModel.toBytes()}) and whether it came from the cache
   */
  public Warmed warmup(
      ModelConfig model, Path cacheDir, long seed, Device device, WarmupListener listener) {
    WarmupCache cache = new WarmupCache(cacheDir);
    try (WarmupCache.Entry entry =
        cache.getOrTrain(
            game.name(), warmupCorpus(), model, WarmupConfig.defaults(seed), device, listener)) {
      return new Warmed(entry.model().toBytes(), entry.fromCache(), entry.file());
    }
  }

  /**
   * Warm-up weights.
   *
   * @param weights the blob
   * @param fromCache whether they were loaded rather than trained
   * @param file the cache entry
   */
  public record Warmed(byte[] weights, boolean fromCache, Path file) {}

  /** The exact Nash equilibrium (the LP's solution), by strategy name. */
  public Map<String, Double> nash() {
    double[] x = NashSolver.solve(game);
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < x.length; i++) {
      m.put(game.strategies().get(i), x[i]);
    }
    return m;
  }

  private static double[] uniform(int n) {
    double[] u = new double[n];
    Arrays.fill(u, 1.0 / n);
    return u;
  }
}
