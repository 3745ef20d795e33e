package dev.lodestone.judge;

/**
 * The unordered pairs {i, j}, i &lt; j, of a group of G responses, in their canonical order: (0,1),
 * (0,2), ..., (0,G-1), (1,2), ..., (G-2,G-1). Labels, preference arrays and {@code LabeledGroup}
 * preferences all use this order.
 */
public final class Pairs {
  private Pairs() {}

  /** Largest group size whose pair count fits an {@code int} comfortably. */
  public static final int MAX_GROUP_SIZE = 46_340;

  /**
   * The number of pairs of a group: G (G - 1) / 2.
   *
   * @throws IllegalArgumentException if {@code groupSize} is negative or above {@link
   *     #MAX_GROUP_SIZE}
   */
  public static int count(int groupSize) {
    checkSize(groupSize);
    return groupSize * (groupSize - 1) / 2;
  }

  /**
   * The position of pair (i, j) in the canonical order.
   *
   * @throws IllegalArgumentException unless 0 &lt;= i &lt; j &lt; groupSize
   */
  public static int index(int i, int j, int groupSize) {
    checkSize(groupSize);
    if (i < 0 || j <= i || j >= groupSize) {
      throw new IllegalArgumentException(
          "pair (" + i + ", " + j + ") is not 0 <= i < j < " + groupSize);
    }
    return i * (2 * groupSize - i - 1) / 2 + (j - i - 1);
  }

  private static void checkSize(int groupSize) {
    if (groupSize < 0 || groupSize > MAX_GROUP_SIZE) {
      throw new IllegalArgumentException(
          "groupSize must be in [0, " + MAX_GROUP_SIZE + "], got " + groupSize);
    }
  }
}
