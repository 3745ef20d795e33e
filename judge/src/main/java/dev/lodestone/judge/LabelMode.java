package dev.lodestone.judge;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a game-oracle judge answers: with the game's exact probability, or with a 0/1 verdict drawn
 * from it, as a person or a language model answers.
 */
public enum LabelMode {
  /** P(i over j) exactly, as the game says. */
  EXACT,
  /** 1 (i is better) with probability P(i over j), else 0. */
  SAMPLED;

  /** The name on the command line: {@code exact} or {@code sampled}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code exact} or {@code sampled}.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LabelMode parse(String text) {
    for (LabelMode m : values()) {
      if (m.id().equals(text)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "labels must be one of "
            + Arrays.stream(values()).map(LabelMode::id).collect(Collectors.joining(", "))
            + ", got '"
            + text
            + "'");
  }
}
