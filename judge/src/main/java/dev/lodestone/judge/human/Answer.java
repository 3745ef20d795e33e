package dev.lodestone.judge.human;

import java.util.Locale;

/**
 * What an annotator answers about the two responses shown: A is the one shown first, B the other.
 * {@link #SKIP} gives no label; the pair is not offered to that annotator again.
 */
public enum Answer {
  /** The first response shown is better. */
  A,
  /** The second response shown is better. */
  B,
  /** Both are equally good. */
  TIE,
  /** Both are bad: no preference, recorded as such. */
  BOTH_BAD,
  /** No answer; someone else judges this pair. */
  SKIP;

  /**
   * Parses an answer, case-insensitively.
   *
   * @throws IllegalArgumentException when it is none of A, B, TIE, BOTH_BAD, SKIP
   */
  public static Answer parse(String text) {
    if (text != null) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        // the message below
      }
    }
    throw new IllegalArgumentException(
        "verdict must be one of A, B, TIE, BOTH_BAD, SKIP, got "
            + (text == null ? "nothing" : "'" + text + "'"));
  }
}
