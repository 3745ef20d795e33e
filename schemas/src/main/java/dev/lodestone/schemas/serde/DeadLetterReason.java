package dev.lodestone.schemas.serde;

/**
 * Stable codes for why a record went to the dead letters; {@link #name()} is what the DeadLetter
 * record's {@code errorType} field holds.
 */
public enum DeadLetterReason {
  /** The bytes could not be decoded (see {@link RecordDecodingException.Reason}). */
  UNDECODABLE,
  /** The record decoded but breaks a rule of its type (an index out of range, an empty id). */
  INVALID_RECORD,
  /** A preference probability outside [0, 1], NaN or infinite. */
  INVALID_PROBABILITY,
  /** A label refers to a sample group that is not known. */
  UNKNOWN_GROUP,
  /** The record or one of its texts is larger than allowed. */
  OVERSIZE,
  /**
   * A sample group whose labels did not reach the label join's quorum in time, or that the join
   * evicted to bound its state; the record is the sample group.
   */
  INCOMPLETE_GROUP,
  /**
   * A judge could not label a sample group: its calls to the judge (a language model's API) kept
   * failing through their retries; the record is the sample group, the reason says why.
   */
  JUDGE_FAILED,
  /**
   * A sample group whose id the label join has seen before: pending, or labelled and emitted within
   * its duplicate window (a re-sent group); the first one is kept, the record is the repeat.
   */
  DUPLICATE_GROUP
}
