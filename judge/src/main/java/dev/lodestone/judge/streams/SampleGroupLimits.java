package dev.lodestone.judge.streams;

/**
 * Size limits that a sample group (and the ids of a label) must respect; larger records go to the
 * dead letters with reason {@code OVERSIZE}. They bound the work per group (pairs grow as G²) and
 * keep every output record (a {@code LabeledGroup} carries its whole group) below the broker's
 * message size.
 *
 * @param maxResponses most responses in one group (G)
 * @param maxTextChars most characters (UTF-16 units) of the prompt and of each response text
 * @param maxIdChars most characters of a group id or a judge id
 * @param maxRecordBytes most bytes of a sample group record as it arrives (wire format); keep it
 *     well below the broker's {@code message.max.bytes} (1 MiB by default), since the label join
 *     writes the record into its changelog and into a {@code LabeledGroup}
 */
public record SampleGroupLimits(
    int maxResponses, int maxTextChars, int maxIdChars, int maxRecordBytes) {

  /** 64 responses, 16,384-character texts, 256-character ids, 512 KiB records. */
  public static final SampleGroupLimits DEFAULT = new SampleGroupLimits(64, 16_384, 256, 512 << 10);

  public SampleGroupLimits {
    if (maxResponses < 2 || maxResponses > 1024) {
      throw new IllegalArgumentException("maxResponses must be in [2, 1024], got " + maxResponses);
    }
    if (maxTextChars < 1) {
      throw new IllegalArgumentException("maxTextChars must be at least 1, got " + maxTextChars);
    }
    if (maxIdChars < 1) {
      throw new IllegalArgumentException("maxIdChars must be at least 1, got " + maxIdChars);
    }
    if (maxRecordBytes < 1) {
      throw new IllegalArgumentException(
          "maxRecordBytes must be at least 1, got " + maxRecordBytes);
    }
  }
}
