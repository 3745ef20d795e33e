package dev.lodestone.judge.streams.internal;

import dev.lodestone.judge.Pairs;
import dev.lodestone.judge.streams.Aggregation;
import dev.lodestone.judge.streams.LabelJoinConfig;
import dev.lodestone.judge.streams.LabelJoinCounters;
import dev.lodestone.judge.streams.internal.JoinState.GroupState;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.RecordDecodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * samples + labels → labeled: keeps each pending group (its sample, once arrived) and its labels
 * from distinct judges in state stores; when every pair i &lt; j has {@code quorum} labels it
 * forwards a {@link LabeledGroup} (per pair the labels combined by the configured {@link
 * Aggregation}, with every label's judge id, kind and probability; the sorted judge ids) and
 * deletes the group's state.
 *
 * <p>Labels may arrive before their group: they wait up to {@code unknownGroupTimeout} each, then
 * go to the dead letters as {@code UNKNOWN_GROUP}. A group that is not complete within {@code
 * incompleteGroupTimeout} goes to the dead letters as {@code INCOMPLETE_GROUP}, and so does the
 * pending group closest to its deadline when a task holds {@code maxPendingGroups} groups and a new
 * one arrives. Deadlines are checked by a wall-clock punctuation.
 *
 * <p>Labels are oriented i &lt; j: a label for (j, i) with probability p counts as (i, j) with 1 -
 * p. A second label of the same judge for the same pair is ignored and counted. Labels of a pair
 * are combined in the order of their judge ids' bytes, so the result does not depend on arrival
 * order. A label that arrives after its group was emitted finds no group and ends as {@code
 * UNKNOWN_GROUP} after the timeout.
 */
public final class LabelJoinProcessor implements Processor<byte[], byte[], String, SpecificRecord> {
  private static final BytesSerializer PREFIX = new BytesSerializer();

  private final LabelJoinConfig config;
  private final AvroDeserializer<SampleGroup> samples;
  private final AvroDeserializer<PreferenceLabel> labelValues;
  private final RecordValidation validation;
  private final LabelJoinCounters counters;
  private final StoreNames stores;
  private final String labeledSink;
  private final String deadLettersSink;
  private final long unknownGroupTimeoutMs;
  private final long incompleteGroupTimeoutMs;
  private final long duplicateWindowMs;

  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<Bytes, byte[]> groups;
  private KeyValueStore<Bytes, byte[]> labels;
  private KeyValueStore<Bytes, byte[]> deadlines;
  private KeyValueStore<Bytes, byte[]> emitted;
  private String taskId;
  private long pending;

  /** The names of the four state stores. */
  public record StoreNames(String groups, String labels, String deadlines, String emitted) {}

  public LabelJoinProcessor(
      LabelJoinConfig config,
      AvroDeserializer<SampleGroup> samples,
      AvroDeserializer<PreferenceLabel> labelValues,
      LabelJoinCounters counters,
      StoreNames stores,
      String labeledSink,
      String deadLettersSink) {
    this.config = Objects.requireNonNull(config, "config");
    this.samples = Objects.requireNonNull(samples, "samples");
    this.labelValues = Objects.requireNonNull(labelValues, "labelValues");
    this.validation = new RecordValidation(config.limits());
    this.counters = Objects.requireNonNull(counters, "counters");
    this.stores = Objects.requireNonNull(stores, "stores");
    this.labeledSink = Objects.requireNonNull(labeledSink, "labeledSink");
    this.deadLettersSink = Objects.requireNonNull(deadLettersSink, "deadLettersSink");
    this.unknownGroupTimeoutMs = config.unknownGroupTimeout().toMillis();
    this.incompleteGroupTimeoutMs = config.incompleteGroupTimeout().toMillis();
    this.duplicateWindowMs = config.duplicateWindow().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.groups = context.getStateStore(stores.groups());
    this.labels = context.getStateStore(stores.labels());
    this.deadlines = context.getStateStore(stores.deadlines());
    this.emitted = context.getStateStore(stores.emitted());
    this.taskId = context.taskId().toString();
    long count = 0;
    try (KeyValueIterator<Bytes, byte[]> it = groups.all()) {
      while (it.hasNext()) {
        it.next();
        count++;
      }
    }
    this.pending = count;
    counters.pendingGroups(taskId, pending);
    context.schedule(config.expiryCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  @Override
  public void close() {
    if (taskId != null) {
      counters.taskClosed(taskId);
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata meta =
        context
            .recordMetadata()
            .orElseThrow(() -> new IllegalStateException("a source record without metadata"));
    if (meta.topic().equals(Topics.SAMPLES.name())) {
      onSample(record, meta);
    } else if (meta.topic().equals(Topics.LABELS.name())) {
      onLabel(record, meta);
    } else {
      throw new IllegalStateException("the label join does not read topic " + meta.topic());
    }
    counters.pendingGroups(taskId, pending);
  }

  // ---- samples ----------------------------------------------------------------------------

  private void onSample(Record<byte[], byte[]> record, RecordMetadata meta) {
    RecordValidation.Checked<SampleGroup> checked =
        validation.sampleGroup(
            samples, meta.topic(), meta.partition(), meta.offset(), record.key(), record.value());
    if (!checked.accepted()) {
      reject(record, meta, checked.rejection());
      return;
    }
    SampleGroup group = checked.value();
    counters.groupReceived();
    String groupId = group.getGroupId();
    long now = now();
    byte[] emittedAt = emitted.get(JoinState.groupKey(groupId));
    if (emittedAt != null) {
      reject(
          record,
          meta,
          new Rejection(
              DeadLetterReason.DUPLICATE_GROUP,
              "sample group "
                  + groupId
                  + " was labelled and emitted to labeled at "
                  + Instant.ofEpochMilli(JoinState.emittedMillis(emittedAt))
                  + "; a re-sent group is not joined twice"));
      return;
    }
    GroupState prior = readGroup(groupId);
    if (prior != null && prior.hasSample()) {
      reject(
          record,
          meta,
          new Rejection(
              DeadLetterReason.DUPLICATE_GROUP,
              "a sample group with groupId "
                  + groupId
                  + " is already pending (partition "
                  + prior.samplePartition()
                  + ", offset "
                  + prior.sampleOffset()
                  + "); group ids must be unique, the first group is kept"));
      return;
    }
    if (prior == null) {
      makeRoom(now);
      pending++;
    } else {
      deadlines.delete(JoinState.deadlineKey(prior.deadlineMs(), groupId));
    }
    int g = group.getResponses().size();
    int[] counts = new int[Pairs.count(g)];
    List<Bytes> outOfRange = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        labels.prefixScan(JoinState.labelPrefix(groupId), PREFIX)) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        JoinState.LabelKey key = JoinState.decodeLabelKey(kv.key);
        if (key.j() >= g) {
          JoinState.LabelState label = JoinState.LabelState.decode(kv.value);
          deadLetterLabel(
              groupId,
              label,
              DeadLetterReason.INVALID_RECORD,
              RecordValidation.outOfRange(groupId, key.judgeId(), key.i(), key.j(), g),
              now);
          outOfRange.add(kv.key);
        } else {
          counts[Pairs.index(key.i(), key.j(), g)]++;
        }
      }
    }
    outOfRange.forEach(labels::delete);
    int complete = 0;
    for (int c : counts) {
      if (c >= config.quorum()) {
        complete++;
      }
    }
    GroupState state =
        new GroupState(
            record.value(),
            meta.partition(),
            meta.offset(),
            g,
            prior == null ? now : prior.firstSeenMs(),
            now + incompleteGroupTimeoutMs,
            complete);
    if (complete == counts.length) {
      emit(groupId, state, group, now, record.timestamp());
      return;
    }
    writeGroup(groupId, state);
    deadlines.put(JoinState.deadlineKey(state.deadlineMs(), groupId), JoinState.deadlineValue());
  }

  // ---- labels -----------------------------------------------------------------------------

  private void onLabel(Record<byte[], byte[]> record, RecordMetadata meta) {
    Optional<Rejection> tooLarge = validation.checkRecordSize("label", record.value());
    if (tooLarge.isPresent()) {
      reject(record, meta, tooLarge.get());
      return;
    }
    PreferenceLabel label;
    try {
      label = labelValues.decode(meta.topic(), meta.partition(), meta.offset(), record.value());
    } catch (RecordDecodingException e) {
      reject(record, meta, new Rejection(DeadLetterReason.UNDECODABLE, e.getMessage()));
      return;
    }
    Optional<Rejection> invalid =
        validation.checkLabel(RecordValidation.keyText(record.key()), label);
    if (invalid.isPresent()) {
      reject(record, meta, invalid.get());
      return;
    }
    String groupId = label.getGroupId();
    byte[] emittedAs = emitted.get(JoinState.groupKey(groupId));
    if (emittedAs != null) {
      int size = JoinState.emittedGroupSize(emittedAs);
      if (Math.max(label.getI(), label.getJ()) >= size) {
        reject(
            record,
            meta,
            new Rejection(
                DeadLetterReason.INVALID_RECORD,
                RecordValidation.outOfRange(
                    groupId, label.getJudgeId(), label.getI(), label.getJ(), size)));
        return;
      }
      counters.labelAfterEmission(); // its group is complete: a late or repeated verdict
      return;
    }
    GroupState state = readGroup(groupId);
    int lo = Math.min(label.getI(), label.getJ());
    int hi = Math.max(label.getI(), label.getJ());
    if (state != null && state.hasSample() && hi >= state.groupSize()) {
      reject(
          record,
          meta,
          new Rejection(
              DeadLetterReason.INVALID_RECORD,
              RecordValidation.outOfRange(
                  groupId, label.getJudgeId(), label.getI(), label.getJ(), state.groupSize())));
      return;
    }
    counters.labelReceived();
    Bytes key = JoinState.labelKey(groupId, lo, hi, label.getJudgeId());
    if (labels.get(key) != null) {
      counters.duplicateLabel();
      return;
    }
    long now = now();
    double p = label.getI() < label.getJ() ? label.getProbability() : 1.0 - label.getProbability();
    byte[] value =
        new JoinState.LabelState(p, meta.partition(), meta.offset(), record.value(), now).encode();
    if (state == null) {
      makeRoom(now);
      pending++;
      GroupState unknown = new GroupState(null, -1, -1, 0, now, now + unknownGroupTimeoutMs, 0);
      writeGroup(groupId, unknown);
      deadlines.put(
          JoinState.deadlineKey(unknown.deadlineMs(), groupId), JoinState.deadlineValue());
      labels.put(key, value);
      return;
    }
    labels.put(key, value);
    if (!state.hasSample()) {
      return;
    }
    int n = 0;
    try (KeyValueIterator<Bytes, byte[]> it =
        labels.prefixScan(JoinState.pairPrefix(groupId, lo, hi), PREFIX)) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    if (n != config.quorum()) {
      return;
    }
    GroupState updated = state.withCompletePairs(state.completePairs() + 1);
    if (updated.completePairs() == Pairs.count(updated.groupSize())) {
      emit(groupId, updated, null, now, record.timestamp());
    } else {
      writeGroup(groupId, updated);
    }
  }

  // ---- emission ---------------------------------------------------------------------------

  /** Forwards the labelled group and deletes its state; {@code group} may be null (decoded). */
  private void emit(String groupId, GroupState state, SampleGroup group, long now, long timestamp) {
    SampleGroup sample =
        group != null
            ? group
            : samples.decode(
                Topics.SAMPLES.name(),
                state.samplePartition(),
                state.sampleOffset(),
                state.sample());
    int g = state.groupSize();
    List<List<LabelProvenance>> byPair = new ArrayList<>(Pairs.count(g));
    for (int k = 0; k < Pairs.count(g); k++) {
      byPair.add(new ArrayList<>());
    }
    TreeSet<String> judges = new TreeSet<>();
    List<Bytes> keys = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        labels.prefixScan(JoinState.labelPrefix(groupId), PREFIX)) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        JoinState.LabelKey key = JoinState.decodeLabelKey(kv.key);
        JoinState.LabelState label = JoinState.LabelState.decode(kv.value);
        PreferenceLabel original =
            labelValues.decode(
                Topics.LABELS.name(), label.partition(), label.offset(), label.value());
        byPair
            .get(Pairs.index(key.i(), key.j(), g))
            .add(
                LabelProvenance.newBuilder()
                    .setJudgeId(key.judgeId())
                    .setJudgeKind(original.getJudgeKind())
                    .setProbability(label.probability())
                    .build());
        judges.add(key.judgeId());
        keys.add(kv.key);
      }
    }
    Aggregation aggregation = config.aggregation();
    List<PairPreference> preferences = new ArrayList<>(byPair.size());
    for (int i = 0; i < g; i++) {
      for (int j = i + 1; j < g; j++) {
        List<LabelProvenance> pair = byPair.get(Pairs.index(i, j, g));
        if (pair.size() < config.quorum()) {
          throw new IllegalStateException(
              "label join state of group "
                  + groupId
                  + " is inconsistent: pair ("
                  + i
                  + ", "
                  + j
                  + ") has "
                  + pair.size()
                  + " labels at emission, below quorum "
                  + config.quorum());
        }
        if (pair.size() > 1) {
          counters.pairOfSeveralJudges(Aggregation.disagree(pair));
        }
        preferences.add(
            PairPreference.newBuilder()
                .setI(i)
                .setJ(j)
                .setProbability(aggregation.combine(pair))
                .setLabelCount(pair.size())
                .setLabels(pair)
                .build());
      }
    }
    LabeledGroup labeled =
        LabeledGroup.newBuilder()
            .setGroup(sample)
            .setPreferences(preferences)
            .setJudgeIds(new ArrayList<>(judges))
            .setAggregation(aggregation.id())
            .setTime(Instant.ofEpochMilli(now))
            .build();
    context.forward(new Record<String, SpecificRecord>(groupId, labeled, timestamp), labeledSink);
    keys.forEach(labels::delete);
    groups.delete(JoinState.groupKey(groupId));
    deadlines.delete(JoinState.deadlineKey(state.deadlineMs(), groupId));
    // Remember the id for the duplicate window; the deadline index forgets it after.
    emitted.put(JoinState.groupKey(groupId), JoinState.encodeEmitted(now, g));
    deadlines.put(
        JoinState.deadlineKey(now + duplicateWindowMs, groupId), JoinState.deadlineValue());
    pending--;
    counters.groupEmitted();
  }

  // ---- deadlines and capacity -------------------------------------------------------------

  private void expire(long now) {
    List<Bytes> due = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = deadlines.all()) {
      while (it.hasNext()) {
        Bytes key = it.next().key;
        if (JoinState.deadlineOf(key) > now) {
          break;
        }
        due.add(key);
      }
    }
    for (Bytes key : due) {
      deadlines.delete(key);
      String groupId = JoinState.groupIdOfDeadline(key);
      byte[] emittedAt = emitted.get(JoinState.groupKey(groupId));
      if (emittedAt != null
          && JoinState.emittedMillis(emittedAt) + duplicateWindowMs == JoinState.deadlineOf(key)) {
        emitted.delete(JoinState.groupKey(groupId)); // its duplicate window is over
        continue;
      }
      GroupState state = readGroup(groupId);
      if (state == null || state.deadlineMs() != JoinState.deadlineOf(key)) {
        continue; // an index entry left behind; the group has another deadline or none
      }
      if (state.hasSample()) {
        giveUpGroup(
            groupId,
            state,
            now,
            "it did not reach quorum "
                + config.quorum()
                + " on every pair within incompleteGroupTimeout "
                + config.incompleteGroupTimeout());
      } else {
        expireLabels(groupId, state, now);
      }
    }
    counters.pendingGroups(taskId, pending);
  }

  /** Dead-letters the labels of an unknown group that waited their full timeout. */
  private void expireLabels(String groupId, GroupState state, long now) {
    long oldestLeft = Long.MAX_VALUE;
    List<Bytes> expired = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        labels.prefixScan(JoinState.labelPrefix(groupId), PREFIX)) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        JoinState.LabelState label = JoinState.LabelState.decode(kv.value);
        if (label.arrivedMs() + unknownGroupTimeoutMs <= now) {
          JoinState.LabelKey key = JoinState.decodeLabelKey(kv.key);
          deadLetterLabel(
              groupId,
              label,
              DeadLetterReason.UNKNOWN_GROUP,
              "no sample group "
                  + groupId
                  + " arrived within unknownGroupTimeout "
                  + config.unknownGroupTimeout()
                  + " of this label (judge "
                  + key.judgeId()
                  + ", pair ("
                  + key.i()
                  + ", "
                  + key.j()
                  + ")); the group is unknown, or was emitted before the label arrived",
              now);
          expired.add(kv.key);
        } else {
          oldestLeft = Math.min(oldestLeft, label.arrivedMs());
        }
      }
    }
    expired.forEach(labels::delete);
    if (oldestLeft == Long.MAX_VALUE) {
      groups.delete(JoinState.groupKey(groupId));
      pending--;
    } else {
      GroupState next = state.withDeadline(oldestLeft + unknownGroupTimeoutMs);
      writeGroup(groupId, next);
      deadlines.put(JoinState.deadlineKey(next.deadlineMs(), groupId), JoinState.deadlineValue());
    }
  }

  /** Gives up pending groups, closest deadline first, until there is room for one more. */
  private void makeRoom(long now) {
    while (pending >= config.maxPendingGroups()) {
      Bytes first;
      try (KeyValueIterator<Bytes, byte[]> it = deadlines.all()) {
        if (!it.hasNext()) {
          throw new IllegalStateException(
              "label join task "
                  + taskId
                  + " counts "
                  + pending
                  + " pending groups but no deadline");
        }
        first = it.next().key;
      }
      deadlines.delete(first);
      String groupId = JoinState.groupIdOfDeadline(first);
      byte[] emittedAt = emitted.get(JoinState.groupKey(groupId));
      if (emittedAt != null
          && JoinState.emittedMillis(emittedAt) + duplicateWindowMs
              == JoinState.deadlineOf(first)) {
        // A remembered emitted id whose window ends first: forgotten early, to make room.
        emitted.delete(JoinState.groupKey(groupId));
        continue;
      }
      GroupState state = readGroup(groupId);
      if (state == null || state.deadlineMs() != JoinState.deadlineOf(first)) {
        continue;
      }
      giveUpGroup(
          groupId,
          state,
          now,
          "it was evicted to keep at most maxPendingGroups "
              + config.maxPendingGroups()
              + " pending groups in task "
              + taskId);
    }
  }

  /**
   * Gives a pending group up now: its sample (if it arrived) goes to the dead letters as {@code
   * INCOMPLETE_GROUP}, or else every buffered label as {@code UNKNOWN_GROUP}; its state is deleted.
   */
  private void giveUpGroup(String groupId, GroupState state, long now, String why) {
    List<Bytes> keys = new ArrayList<>();
    TreeSet<String> judges = new TreeSet<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        labels.prefixScan(JoinState.labelPrefix(groupId), PREFIX)) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        JoinState.LabelKey key = JoinState.decodeLabelKey(kv.key);
        keys.add(kv.key);
        judges.add(key.judgeId());
        if (!state.hasSample()) {
          deadLetterLabel(
              groupId,
              JoinState.LabelState.decode(kv.value),
              DeadLetterReason.UNKNOWN_GROUP,
              "no sample group " + groupId + " arrived before " + why,
              now);
        }
      }
    }
    if (state.hasSample()) {
      DeadLetter letter =
          DeadLetters.of(
              Topics.SAMPLES.name(),
              state.samplePartition(),
              state.sampleOffset(),
              groupId.getBytes(StandardCharsets.UTF_8),
              state.sample(),
              DeadLetterReason.INCOMPLETE_GROUP,
              "group "
                  + groupId
                  + " was given up because "
                  + why
                  + ": "
                  + state.completePairs()
                  + " of "
                  + Pairs.count(state.groupSize())
                  + " pairs complete; its "
                  + keys.size()
                  + " labels (judges "
                  + judges
                  + ") were dropped with it",
              LabelJoinCounters.COMPONENT,
              Instant.ofEpochMilli(now));
      forwardDeadLetter(letter, now);
      counters.groupExpired();
    }
    keys.forEach(labels::delete);
    groups.delete(JoinState.groupKey(groupId));
    deadlines.delete(JoinState.deadlineKey(state.deadlineMs(), groupId));
    pending--;
  }

  // ---- helpers ----------------------------------------------------------------------------

  private GroupState readGroup(String groupId) {
    byte[] value = groups.get(JoinState.groupKey(groupId));
    return value == null ? null : GroupState.decode(value);
  }

  private void writeGroup(String groupId, GroupState state) {
    groups.put(JoinState.groupKey(groupId), state.encode());
  }

  private void reject(Record<byte[], byte[]> record, RecordMetadata meta, Rejection why) {
    DeadLetter letter =
        DeadLetters.of(
            meta.topic(),
            meta.partition(),
            meta.offset(),
            record.key(),
            record.value(),
            why.reason(),
            why.message(),
            LabelJoinCounters.COMPONENT,
            Instant.ofEpochMilli(now()));
    counters.deadLetter(why.reason());
    context.forward(
        new Record<String, SpecificRecord>(letter.getSourceTopic(), letter, record.timestamp()),
        deadLettersSink);
  }

  private void deadLetterLabel(
      String groupId,
      JoinState.LabelState label,
      DeadLetterReason reason,
      String message,
      long now) {
    forwardDeadLetter(
        DeadLetters.of(
            Topics.LABELS.name(),
            label.partition(),
            label.offset(),
            groupId.getBytes(StandardCharsets.UTF_8),
            label.value(),
            reason,
            message,
            LabelJoinCounters.COMPONENT,
            Instant.ofEpochMilli(now)),
        now);
  }

  private void forwardDeadLetter(DeadLetter letter, long timestamp) {
    counters.deadLetter(DeadLetterReason.valueOf(letter.getErrorType()));
    context.forward(
        new Record<String, SpecificRecord>(letter.getSourceTopic(), letter, timestamp),
        deadLettersSink);
  }

  private long now() {
    return context.currentSystemTimeMs();
  }
}
