package dev.lodestone.judge.streams;

import dev.lodestone.schemas.serde.DeadLetterReason;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a label-join instance has done since it started, counted by its topology and published by
 * {@link LabelJoinService} as the values of a {@code MetricEvent} (component {@value #COMPONENT}).
 *
 * <p>Counts are per instance, in memory, since the instance started, and count processing attempts
 * (see {@link JudgeCounters}). {@link #pendingGroups()} is a gauge: the groups held in the state of
 * the tasks this instance runs now, exact after every record. Thread-safe.
 */
public final class LabelJoinCounters {
  /** The component name of the label join's metric events and dead letters. */
  public static final String COMPONENT = "label-join";

  private final LongAdder groupsReceived = new LongAdder();
  private final LongAdder labelsReceived = new LongAdder();
  private final LongAdder duplicateLabels = new LongAdder();
  private final LongAdder groupsEmitted = new LongAdder();
  private final LongAdder groupsExpired = new LongAdder();
  private final LongAdder labelsAfterEmission = new LongAdder();
  private final LongAdder pairsWithSeveralJudges = new LongAdder();
  private final LongAdder pairsWithDisagreement = new LongAdder();
  private final Map<DeadLetterReason, LongAdder> deadLetters =
      new EnumMap<>(DeadLetterReason.class);
  private final Map<String, Long> pendingByTask = new ConcurrentHashMap<>();

  public LabelJoinCounters() {
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLetters.put(reason, new LongAdder());
    }
  }

  /** Counts a valid sample group received. */
  public void groupReceived() {
    groupsReceived.increment();
  }

  /** Counts a valid label received (duplicates included). */
  public void labelReceived() {
    labelsReceived.increment();
  }

  /** Counts a second label of a judge for a pair, which was ignored. */
  public void duplicateLabel() {
    duplicateLabels.increment();
  }

  /** Counts a label for a group already emitted (late, or for a re-sent group), dropped. */
  public void labelAfterEmission() {
    labelsAfterEmission.increment();
  }

  /** Labels dropped because their group was already emitted. */
  public long labelsAfterEmission() {
    return labelsAfterEmission.sum();
  }

  /** Counts a labelled group emitted. */
  public void groupEmitted() {
    groupsEmitted.increment();
  }

  /**
   * Counts an emitted pair that several judges labelled, and whether they disagreed (one preferred
   * i where another preferred j).
   */
  public void pairOfSeveralJudges(boolean disagreed) {
    pairsWithSeveralJudges.increment();
    if (disagreed) {
      pairsWithDisagreement.increment();
    }
  }

  /** Emitted pairs that several judges labelled. */
  public long pairsWithSeveralJudges() {
    return pairsWithSeveralJudges.sum();
  }

  /** Emitted pairs whose judges disagreed. */
  public long pairsWithDisagreement() {
    return pairsWithDisagreement.sum();
  }

  /** Counts a group given up incomplete (its deadline passed, or evicted for room). */
  public void groupExpired() {
    groupsExpired.increment();
  }

  /** Counts a record sent to the dead letters. */
  public void deadLetter(DeadLetterReason reason) {
    deadLetters.get(reason).increment();
  }

  /** Sets the number of pending groups of one stream task. */
  public void pendingGroups(String taskId, long pending) {
    pendingByTask.put(taskId, pending);
  }

  /** Forgets a stream task that this instance no longer runs. */
  public void taskClosed(String taskId) {
    pendingByTask.remove(taskId);
  }

  /** Valid sample groups received. */
  public long groupsReceived() {
    return groupsReceived.sum();
  }

  /** Valid labels received, duplicates included. */
  public long labelsReceived() {
    return labelsReceived.sum();
  }

  /** Duplicate labels ignored. */
  public long duplicateLabels() {
    return duplicateLabels.sum();
  }

  /** Labelled groups emitted. */
  public long groupsEmitted() {
    return groupsEmitted.sum();
  }

  /** Groups given up incomplete. */
  public long groupsExpired() {
    return groupsExpired.sum();
  }

  /** Dead letters with this reason. */
  public long deadLetters(DeadLetterReason reason) {
    return deadLetters.get(reason).sum();
  }

  /** Groups pending in the tasks this instance runs now. */
  public long pendingGroups() {
    return pendingByTask.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The metric values under their stable names: {@code label-join/groupsReceived}, {@code
   * label-join/labelsReceived}, {@code label-join/duplicateLabels}, {@code
   * label-join/labelsAfterEmission}, {@code label-join/groupsEmitted}, {@code
   * label-join/groupsExpired}, {@code label-join/pendingGroups}, {@code
   * label-join/pairsWithSeveralJudges}, {@code label-join/judgeDisagreementRate} (the share of
   * those pairs whose judges disagreed), {@code label-join/deadLetters} (all reasons) and {@code
   * label-join/deadLetters/<REASON>}.
   */
  public Map<String, Double> values() {
    Map<String, Double> v = new LinkedHashMap<>();
    v.put(COMPONENT + "/groupsReceived", (double) groupsReceived());
    v.put(COMPONENT + "/labelsReceived", (double) labelsReceived());
    v.put(COMPONENT + "/duplicateLabels", (double) duplicateLabels());
    v.put(COMPONENT + "/labelsAfterEmission", (double) labelsAfterEmission());
    v.put(COMPONENT + "/groupsEmitted", (double) groupsEmitted());
    v.put(COMPONENT + "/groupsExpired", (double) groupsExpired());
    v.put(COMPONENT + "/pendingGroups", (double) pendingGroups());
    long several = pairsWithSeveralJudges();
    v.put(COMPONENT + "/pairsWithSeveralJudges", (double) several);
    v.put(
        COMPONENT + "/judgeDisagreementRate",
        several == 0 ? 0.0 : (double) pairsWithDisagreement() / several);
    MetricNames.putDeadLetters(v, COMPONENT, this::deadLetters);
    return v;
  }
}
