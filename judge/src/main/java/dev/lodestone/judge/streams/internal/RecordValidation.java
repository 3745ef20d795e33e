package dev.lodestone.judge.streams.internal;

import dev.lodestone.judge.streams.SampleGroupLimits;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.RecordDecodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The rules a sample group and a preference label must follow before a judge or the label join uses
 * them. Each rule names the field and the bad value.
 */
public final class RecordValidation {
  private final SampleGroupLimits limits;

  public RecordValidation(SampleGroupLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * A record decoded and validated, or why it is rejected.
   *
   * @param value the record, null when rejected
   * @param rejection why it is rejected, null when accepted
   */
  public record Checked<T>(T value, Rejection rejection) {
    /** Whether the record was accepted. */
    public boolean accepted() {
      return rejection == null;
    }
  }

  /**
   * A {@code samples} record checked for size, decoded and checked by {@link #checkGroup}.
   *
   * @param samples the value deserializer
   * @param topic the record's topic, partition and offset, for the decoder's messages
   */
  public Checked<SampleGroup> sampleGroup(
      AvroDeserializer<SampleGroup> samples,
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value) {
    Optional<Rejection> tooLarge = checkRecordSize("sample group", value);
    if (tooLarge.isPresent()) {
      return new Checked<>(null, tooLarge.get());
    }
    SampleGroup group;
    try {
      group = samples.decode(topic, partition, offset, value);
    } catch (RecordDecodingException e) {
      return new Checked<>(null, new Rejection(DeadLetterReason.UNDECODABLE, e.getMessage()));
    }
    Optional<Rejection> invalid = checkGroup(keyText(key), group);
    return invalid.isPresent() ? new Checked<>(null, invalid.get()) : new Checked<>(group, null);
  }

  /** The record key as text, or null for a null key. */
  public static String keyText(byte[] key) {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** Checks the raw size of a record ({@code what}: "sample group", "label") before decoding. */
  public Optional<Rejection> checkRecordSize(String what, byte[] value) {
    if (value != null && value.length > limits.maxRecordBytes()) {
      return reject(
          DeadLetterReason.OVERSIZE,
          what
              + " record of "
              + value.length
              + " bytes is larger than maxRecordBytes "
              + limits.maxRecordBytes());
    }
    return Optional.empty();
  }

  /**
   * Checks a decoded sample group: keyed by its group id, at least 2 and at most {@code
   * maxResponses} responses, texts within {@code maxTextChars}, token ids and log-probs of equal
   * length, log-probs neither NaN nor infinite.
   */
  public Optional<Rejection> checkGroup(String key, SampleGroup group) {
    String groupId = group.getGroupId();
    Optional<Rejection> id = checkId("groupId", groupId);
    if (id.isPresent()) {
      return id;
    }
    if (!groupId.equals(key)) {
      return reject(
          DeadLetterReason.INVALID_RECORD,
          "record key "
              + quote(key)
              + " differs from groupId "
              + quote(groupId)
              + ": samples must be keyed by their groupId");
    }
    List<Response> responses = group.getResponses();
    if (responses.size() < 2) {
      return reject(
          DeadLetterReason.INVALID_RECORD,
          "group " + groupId + " has " + responses.size() + " responses; a group needs at least 2");
    }
    if (responses.size() > limits.maxResponses()) {
      return reject(
          DeadLetterReason.OVERSIZE,
          "group "
              + groupId
              + " has "
              + responses.size()
              + " responses, more than maxResponses "
              + limits.maxResponses());
    }
    if (group.getPrompt().length() > limits.maxTextChars()) {
      return reject(
          DeadLetterReason.OVERSIZE,
          "group "
              + groupId
              + ": prompt of "
              + group.getPrompt().length()
              + " characters is longer than maxTextChars "
              + limits.maxTextChars());
    }
    for (int k = 0; k < responses.size(); k++) {
      Response r = responses.get(k);
      if (r.getText().length() > limits.maxTextChars()) {
        return reject(
            DeadLetterReason.OVERSIZE,
            "group "
                + groupId
                + ": text of response "
                + k
                + " has "
                + r.getText().length()
                + " characters, more than maxTextChars "
                + limits.maxTextChars());
      }
      if (r.getTokenIds().size() != r.getLogProbs().size()) {
        return reject(
            DeadLetterReason.INVALID_RECORD,
            "group "
                + groupId
                + ": response "
                + k
                + " has "
                + r.getTokenIds().size()
                + " tokenIds but "
                + r.getLogProbs().size()
                + " logProbs; they must have the same length");
      }
      List<Float> logProbs = r.getLogProbs();
      for (int t = 0; t < logProbs.size(); t++) {
        float lp = logProbs.get(t);
        if (Float.isNaN(lp) || Float.isInfinite(lp)) {
          return reject(
              DeadLetterReason.INVALID_RECORD,
              "group "
                  + groupId
                  + ": response "
                  + k
                  + " has logProbs["
                  + t
                  + "] = "
                  + lp
                  + "; a sampled token's log-probability must be finite");
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Checks what can be checked of a label without its group: keyed by its group id, ids not blank
   * and within {@code maxIdChars}, a probability in [0, 1], i and j non-negative and different.
   * Whether i and j are below the group's size is checked when the group is known.
   */
  public Optional<Rejection> checkLabel(String key, PreferenceLabel label) {
    String groupId = label.getGroupId();
    Optional<Rejection> id = checkId("groupId", groupId);
    if (id.isPresent()) {
      return id;
    }
    Optional<Rejection> judge = checkId("judgeId", label.getJudgeId());
    if (judge.isPresent()) {
      return judge;
    }
    if (!groupId.equals(key)) {
      return reject(
          DeadLetterReason.INVALID_RECORD,
          "record key "
              + quote(key)
              + " differs from groupId "
              + quote(groupId)
              + ": labels must be keyed by their groupId");
    }
    double p = label.getProbability();
    if (!(p >= 0.0 && p <= 1.0)) {
      return reject(
          DeadLetterReason.INVALID_PROBABILITY,
          "label of group "
              + groupId
              + " by judge "
              + label.getJudgeId()
              + " for pair ("
              + label.getI()
              + ", "
              + label.getJ()
              + ") has probability "
              + p
              + ", which is not in [0, 1]");
    }
    if (label.getI() < 0 || label.getJ() < 0 || label.getI() == label.getJ()) {
      return reject(
          DeadLetterReason.INVALID_RECORD,
          "label of group "
              + groupId
              + " by judge "
              + label.getJudgeId()
              + " has i = "
              + label.getI()
              + ", j = "
              + label.getJ()
              + "; they must be different response indices (>= 0)");
    }
    return Optional.empty();
  }

  /** The message for a label whose indices do not fit its group. */
  public static String outOfRange(String groupId, String judgeId, int i, int j, int groupSize) {
    return "label of group "
        + groupId
        + " by judge "
        + judgeId
        + " has i = "
        + i
        + ", j = "
        + j
        + ", but the group has "
        + groupSize
        + " responses (indices 0 to "
        + (groupSize - 1)
        + ")";
  }

  private Optional<Rejection> checkId(String field, String value) {
    if (value.isBlank()) {
      return reject(DeadLetterReason.INVALID_RECORD, field + " must not be blank");
    }
    if (value.length() > limits.maxIdChars()) {
      return reject(
          DeadLetterReason.OVERSIZE,
          field
              + " of "
              + value.length()
              + " characters is longer than maxIdChars "
              + limits.maxIdChars());
    }
    return Optional.empty();
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }

  private static Optional<Rejection> reject(DeadLetterReason reason, String message) {
    return Optional.of(new Rejection(reason, message));
  }
}
