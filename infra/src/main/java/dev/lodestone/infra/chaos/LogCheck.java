package dev.lodestone.infra.chaos;

import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The counts that say whether a pipeline lost or repeated anything: the sample groups on {@code
 * samples}, the labelled groups on {@code labeled} and the labels on {@code labels}, read whole and
 * {@code read_committed}.
 *
 * @param samples sample records
 * @param uniqueSamples distinct sample group ids
 * @param halfGroups sample groups with fewer responses than {@code groupSize}
 * @param labeled labelled records
 * @param uniqueLabeled distinct group ids on labeled
 * @param missing sample ids never labelled
 * @param foreign labelled ids that no sample has
 * @param labelRepeats labels beyond the first for the same group, pair and judge (beyond one per
 *     copy for a group re-sent on purpose: each copy is judged again)
 * @param resent sample records re-sent on purpose (exact copies of a group already on {@code
 *     samples}, as a producer's retry would make)
 */
record LogCheck(
    long samples,
    long uniqueSamples,
    long halfGroups,
    long labeled,
    long uniqueLabeled,
    long missing,
    long foreign,
    long labelRepeats,
    long resent) {

  /** Waits until {@code labeled} holds as many records as {@code samples}. */
  static void awaitLabelled(TopicReader reader) throws InterruptedException {
    awaitLabelled(reader, 0);
  }

  /**
   * Waits until {@code labeled} holds as many records as {@code samples}, less the {@code resent}
   * copies there.
   */
  static void awaitLabelled(TopicReader reader, long resent) throws InterruptedException {
    TopicReader.await(
        "every sample group is labelled",
        Duration.ofMinutes(2),
        () ->
            reader.raw(Topics.LABELED.name()).size()
                >= reader.raw(Topics.SAMPLES.name()).size() - resent);
  }

  /** The counts of the log's sample groups of {@link Components#GROUP_SIZE} responses. */
  static LogCheck read(TopicReader reader) {
    return read(reader, Map.of());
  }

  /**
   * The counts of the log, with {@code resends} copies of some groups (by group id) re-sent on
   * purpose.
   */
  static LogCheck read(TopicReader reader, Map<String, Integer> resends) {
    return read(reader, Components.GROUP_SIZE, resends);
  }

  private static LogCheck read(TopicReader reader, int groupSize, Map<String, Integer> resends) {
    Set<String> sampleIds = new HashSet<>();
    long samples = 0;
    long half = 0;
    for (TopicReader.Read<SampleGroup> r : reader.all(Topics.SAMPLES)) {
      samples++;
      sampleIds.add(r.value().getGroupId());
      if (r.value().getResponses().size() < groupSize) {
        half++;
      }
    }
    Set<String> labeledIds = new HashSet<>();
    long labeled = 0;
    for (TopicReader.Read<LabeledGroup> r : reader.all(Topics.LABELED)) {
      labeled++;
      labeledIds.add(r.value().getGroup().getGroupId());
    }
    Map<String, Integer> labels = new HashMap<>();
    long repeats = 0;
    for (TopicReader.Read<PreferenceLabel> r : reader.all(Topics.LABELS)) {
      PreferenceLabel l = r.value();
      String key = l.getGroupId() + "/" + l.getI() + "/" + l.getJ() + "/" + l.getJudgeId();
      if (labels.merge(key, 1, Integer::sum) > 1 + resends.getOrDefault(l.getGroupId(), 0)) {
        repeats++;
      }
    }
    Set<String> missing = new HashSet<>(sampleIds);
    missing.removeAll(labeledIds);
    Set<String> foreign = new HashSet<>(labeledIds);
    foreign.removeAll(sampleIds);
    return new LogCheck(
        samples,
        sampleIds.size(),
        half,
        labeled,
        labeledIds.size(),
        missing.size(),
        foreign.size(),
        repeats,
        resends.values().stream().mapToLong(Integer::longValue).sum());
  }

  /** Repeated records: sample ids, labelled groups and labels seen more than once. */
  long duplicated() {
    return (samples - uniqueSamples - resent) + (labeled - uniqueLabeled) + labelRepeats;
  }

  /** Every sample group labelled once, nothing else on labeled, no half group. */
  boolean clean() {
    return duplicated() == 0 && missing == 0 && foreign == 0 && halfGroups == 0;
  }

  Map<String, Object> details() {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("samples", samples);
    d.put("labeled", labeled);
    d.put("halfGroups", halfGroups);
    d.put("foreignLabeled", foreign);
    d.put("repeatedLabels", labelRepeats);
    if (resent > 0) {
      d.put("resentSamples", resent);
    }
    return d;
  }
}
