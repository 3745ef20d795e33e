package dev.lodestone.judge;

import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.schemas.avro.JudgeKind;
import java.util.Objects;

/**
 * The game oracle: a {@link PairJudge} that labels the groups of one task with the exact
 * preferences of the task's preference game, {@link PreferenceGame#judge} (an invalid response
 * loses to every valid one and ties with another invalid one). Its labels have kind {@link
 * JudgeKind#GAME_ORACLE} and judge id {@code oracle:<task>}.
 *
 * <pre>{@code
 * PairJudge oracle = GameOracle.forTask("perturbed-rps");
 * }</pre>
 */
public final class GameOracle {
  private GameOracle() {}

  /** The prefix of every exact oracle's judge id. */
  public static final String JUDGE_ID_PREFIX = "oracle:";

  /** The prefix of every sampled oracle's judge id. */
  public static final String SAMPLED_JUDGE_ID_PREFIX = "oracle-sampled:";

  /**
   * The oracle of a task whose name is a game specification ({@code rps}, {@code perturbed-rps},
   * {@code condorcet}, {@code random:N:SEED}, {@code game:PATH}), as samplers write it into {@code
   * SampleGroup.task}.
   *
   * @throws dev.lodestone.games.InvalidGameException when the specification is not a game
   */
  public static TextPreferenceJudge forTask(String task) {
    Objects.requireNonNull(task, "task");
    return forGame(task, Games.parse(task));
  }

  /**
   * The oracle of a task played with a given game.
   *
   * @param task the task name in {@code SampleGroup.task}
   * @param game the game whose preferences label the task's groups
   */
  public static TextPreferenceJudge forGame(String task, PreferenceGame game) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(game, "game");
    return new TextPreferenceJudge(
        JUDGE_ID_PREFIX + task, JudgeKind.GAME_ORACLE, task, game::judge);
  }

  /**
   * The oracle of a task with the given labels: {@link LabelMode#EXACT} is {@link #forGame}; {@link
   * LabelMode#SAMPLED} draws a 0/1 verdict from the game's probability for every pair ({@link
   * SampledVerdictJudge}, judge id {@code oracle-sampled:<task>}), the same for the same group,
   * pair and seed.
   *
   * @param seed mixed into the draws of sampled labels (unused by exact labels)
   */
  public static PairJudge forGame(String task, PreferenceGame game, LabelMode labels, long seed) {
    TextPreferenceJudge exact = forGame(task, game);
    return switch (labels) {
      case EXACT -> exact;
      case SAMPLED -> new SampledVerdictJudge(SAMPLED_JUDGE_ID_PREFIX + task, seed, exact);
    };
  }
}
