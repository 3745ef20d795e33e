package dev.lodestone.judge.streams;

import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a judge instance has done since it started, counted by its topology and published by {@link
 * JudgeService} as the values of a {@code MetricEvent} (component {@value #COMPONENT}).
 *
 * <p>Counts are per instance, in memory, since the instance started; sum them over instances. They
 * count processing attempts: when an exactly-once transaction aborts (a crash, a fenced producer)
 * its records are processed again and counted again, while their output appears once. Thread-safe.
 */
public final class JudgeCounters {
  /** The component name of the judge's metric events and dead letters. */
  public static final String COMPONENT = "judge";

  private final LongAdder groupsJudged = new LongAdder();
  private final LongAdder groupsSkipped = new LongAdder();
  private final LongAdder labelsEmitted = new LongAdder();
  private final Map<DeadLetterReason, LongAdder> deadLetters =
      new EnumMap<>(DeadLetterReason.class);

  public JudgeCounters() {
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLetters.put(reason, new LongAdder());
    }
  }

  /** Counts a group judged and the labels emitted for it. */
  public void groupJudged(int labels) {
    groupsJudged.increment();
    labelsEmitted.add(labels);
  }

  /** Counts a valid group the judge did not accept (another task). */
  public void groupSkipped() {
    groupsSkipped.increment();
  }

  /** Counts a record sent to the dead letters. */
  public void deadLetter(DeadLetterReason reason) {
    deadLetters.get(reason).increment();
  }

  /** Groups judged. */
  public long groupsJudged() {
    return groupsJudged.sum();
  }

  /** Valid groups skipped because the judge does not accept them. */
  public long groupsSkipped() {
    return groupsSkipped.sum();
  }

  /** Labels emitted. */
  public long labelsEmitted() {
    return labelsEmitted.sum();
  }

  /** Dead letters with this reason. */
  public long deadLetters(DeadLetterReason reason) {
    return deadLetters.get(reason).sum();
  }

  /**
   * The metric values under their stable names: {@code judge/groupsJudged}, {@code
   * judge/groupsSkipped}, {@code judge/labelsEmitted}, {@code judge/deadLetters} (all reasons) and
   * {@code judge/deadLetters/<REASON>} for every reason.
   */
  public Map<String, Double> values() {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put(COMPONENT + "/groupsJudged", (double) groupsJudged());
    v.put(COMPONENT + "/groupsSkipped", (double) groupsSkipped());
    v.put(COMPONENT + "/labelsEmitted", (double) labelsEmitted());
    MetricNames.putDeadLetters(v, COMPONENT, this::deadLetters);
    return v;
  }
}
