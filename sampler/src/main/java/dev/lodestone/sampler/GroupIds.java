package dev.lodestone.sampler;

import java.util.Objects;

/**
 * Group ids: {@code <samplerId>-<sequence>}, the sampler's id and the group's sequence number in
 * that sampler. Unique as long as sampler ids are (a sequence number is digits only, so the last
 * {@code '-'} separates the parts unambiguously): a sampler numbers its groups consecutively from
 * the sum of the end offsets of {@code samples} at its start, which is past every number it used
 * before a restart.
 */
public final class GroupIds {
  private GroupIds() {}

  /** The id of a sampler's group number {@code sequence}. */
  public static String of(String samplerId, long sequence) {
    Objects.requireNonNull(samplerId, "samplerId");
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
    }
    return samplerId + "-" + sequence;
  }

  /**
   * The parts of a group id.
   *
   * @param samplerId the sampler that published the group
   * @param sequence the group's number in that sampler
   */
  public record Parts(String samplerId, long sequence) {}

  /**
   * Splits a group id made by {@link #of}.
   *
   * @throws IllegalArgumentException when the text is not such an id
   */
  public static Parts parse(String groupId) {
    int dash = groupId == null ? -1 : groupId.lastIndexOf('-');
    if (dash <= 0 || dash == groupId.length() - 1) {
      throw new IllegalArgumentException(
          "group id must be <samplerId>-<sequence>, got "
              + (groupId == null ? "null" : "'" + groupId + "'"));
    }
    String digits = groupId.substring(dash + 1);
    if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "group id must end with -<sequence number>, got '" + groupId + "'");
    }
    try {
      return new Parts(groupId.substring(0, dash), Long.parseLong(digits));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "group id sequence is out of range in '" + groupId + "'", e);
    }
  }
}
