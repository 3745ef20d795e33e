package dev.lodestone.judge.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * The configuration of the label join ({@link LabelJoinTopology}, {@link LabelJoinService}).
 *
 * <p>State bounds: a group is pending from the first record about it (its sample or a label) until
 * it is emitted or given up. Labels without their group are given up {@code unknownGroupTimeout}
 * after each arrived (dead letters, {@code UNKNOWN_GROUP}); a group whose pairs do not all reach
 * the quorum within {@code incompleteGroupTimeout} of its arrival is given up ({@code
 * INCOMPLETE_GROUP}); and each stream task holds at most {@code maxPendingGroups} pending groups,
 * giving up the one closest to its deadline to admit a new one. So a task's state never exceeds
 * {@code maxPendingGroups} groups, each kept at most the longer timeout. After emitting a group the
 * join remembers its id for {@code duplicateWindow}: a sample group re-sent within it (a sampler's
 * retry) goes to the dead letters as {@code DUPLICATE_GROUP} instead of being joined twice, and a
 * label for it (a slower judge's, or a judge's second verdict on the re-sent group) is counted and
 * dropped. That memory costs one small entry per group emitted within the window; when a task is
 * full ({@code maxPendingGroups}), ids whose window ends before every pending group's deadline are
 * forgotten early to make room.
 *
 * @param streams the Kafka Streams settings
 * @param limits the size limits of sample groups and label ids
 * @param quorum labels from distinct judges every pair needs before the group is emitted
 * @param unknownGroupTimeout how long a label waits for its group (wall-clock time)
 * @param incompleteGroupTimeout how long a group waits for its labels (wall-clock time)
 * @param maxPendingGroups most pending groups per stream task (one task per input partition)
 * @param expiryCheckInterval how often the deadlines are checked (wall-clock punctuation)
 * @param aggregation how a pair's labels from several judges are combined
 * @param duplicateWindow how long the join remembers an emitted group's id (wall-clock time)
 */
public record LabelJoinConfig(
    StreamsAppConfig streams,
    SampleGroupLimits limits,
    int quorum,
    Duration unknownGroupTimeout,
    Duration incompleteGroupTimeout,
    int maxPendingGroups,
    Duration expiryCheckInterval,
    Aggregation aggregation,
    Duration duplicateWindow) {

  /** Default {@link #quorum()}. */
  public static final int DEFAULT_QUORUM = 1;

  /** Default {@link #unknownGroupTimeout()}, in seconds. */
  public static final int DEFAULT_UNKNOWN_GROUP_TIMEOUT_SECONDS = 60;

  /** Default {@link #unknownGroupTimeout()}. */
  public static final Duration DEFAULT_UNKNOWN_GROUP_TIMEOUT =
      Duration.ofSeconds(DEFAULT_UNKNOWN_GROUP_TIMEOUT_SECONDS);

  /** Default {@link #incompleteGroupTimeout()}. */
  public static final Duration DEFAULT_INCOMPLETE_GROUP_TIMEOUT = Duration.ofMinutes(10);

  /** Default {@link #maxPendingGroups()}. */
  public static final int DEFAULT_MAX_PENDING_GROUPS = 10_000;

  /** Default {@link #expiryCheckInterval()}. */
  public static final Duration DEFAULT_EXPIRY_CHECK_INTERVAL = Duration.ofSeconds(1);

  /**
   * Default {@link #duplicateWindow()}: long enough for a sampler's retries after a broker outage,
   * short enough that the memory stays small (about 700,000 ids at 200 groups per second).
   */
  public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofHours(1);

  /** Largest accepted quorum. */
  public static final int MAX_QUORUM = 1000;

  public LabelJoinConfig {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(unknownGroupTimeout, "unknownGroupTimeout");
    Objects.requireNonNull(incompleteGroupTimeout, "incompleteGroupTimeout");
    Objects.requireNonNull(expiryCheckInterval, "expiryCheckInterval");
    Objects.requireNonNull(aggregation, "aggregation");
    Objects.requireNonNull(duplicateWindow, "duplicateWindow");
    if (quorum < 1 || quorum > MAX_QUORUM) {
      throw new IllegalArgumentException(
          "quorum must be in [1, " + MAX_QUORUM + "], got " + quorum);
    }
    requirePositive("unknownGroupTimeout", unknownGroupTimeout);
    requirePositive("incompleteGroupTimeout", incompleteGroupTimeout);
    requirePositive("expiryCheckInterval", expiryCheckInterval);
    requirePositive("duplicateWindow", duplicateWindow);
    if (maxPendingGroups < 1) {
      throw new IllegalArgumentException(
          "maxPendingGroups must be at least 1, got " + maxPendingGroups);
    }
  }

  private static void requirePositive(String field, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be positive, got " + value);
    }
  }

  /**
   * The defaults: quorum 1, labels wait 60 s for their group, groups wait 10 min for their labels,
   * at most 10,000 pending groups per task, deadlines checked every second, labels combined by
   * their mean, emitted groups remembered for an hour.
   */
  public static LabelJoinConfig of(StreamsAppConfig streams) {
    return new LabelJoinConfig(
        streams,
        SampleGroupLimits.DEFAULT,
        DEFAULT_QUORUM,
        DEFAULT_UNKNOWN_GROUP_TIMEOUT,
        DEFAULT_INCOMPLETE_GROUP_TIMEOUT,
        DEFAULT_MAX_PENDING_GROUPS,
        DEFAULT_EXPIRY_CHECK_INTERVAL,
        Aggregation.MEAN,
        DEFAULT_DUPLICATE_WINDOW);
  }

  /** A copy with another {@link #quorum()}. */
  public LabelJoinConfig withQuorum(int q) {
    return new LabelJoinConfig(
        streams,
        limits,
        q,
        unknownGroupTimeout,
        incompleteGroupTimeout,
        maxPendingGroups,
        expiryCheckInterval,
        aggregation,
        duplicateWindow);
  }

  /** A copy with other timeouts. */
  public LabelJoinConfig withTimeouts(Duration unknownGroup, Duration incompleteGroup) {
    return new LabelJoinConfig(
        streams,
        limits,
        quorum,
        unknownGroup,
        incompleteGroup,
        maxPendingGroups,
        expiryCheckInterval,
        aggregation,
        duplicateWindow);
  }

  /** A copy with another {@link #maxPendingGroups()}. */
  public LabelJoinConfig withMaxPendingGroups(int max) {
    return new LabelJoinConfig(
        streams,
        limits,
        quorum,
        unknownGroupTimeout,
        incompleteGroupTimeout,
        max,
        expiryCheckInterval,
        aggregation,
        duplicateWindow);
  }

  /** A copy with other {@link #limits()}. */
  public LabelJoinConfig withLimits(SampleGroupLimits l) {
    return new LabelJoinConfig(
        streams,
        l,
        quorum,
        unknownGroupTimeout,
        incompleteGroupTimeout,
        maxPendingGroups,
        expiryCheckInterval,
        aggregation,
        duplicateWindow);
  }

  /** A copy with another {@link #aggregation()}. */
  public LabelJoinConfig withAggregation(Aggregation a) {
    return new LabelJoinConfig(
        streams,
        limits,
        quorum,
        unknownGroupTimeout,
        incompleteGroupTimeout,
        maxPendingGroups,
        expiryCheckInterval,
        a,
        duplicateWindow);
  }

  /** A copy with another {@link #duplicateWindow()}. */
  public LabelJoinConfig withDuplicateWindow(Duration window) {
    return new LabelJoinConfig(
        streams,
        limits,
        quorum,
        unknownGroupTimeout,
        incompleteGroupTimeout,
        maxPendingGroups,
        expiryCheckInterval,
        aggregation,
        window);
  }
}
