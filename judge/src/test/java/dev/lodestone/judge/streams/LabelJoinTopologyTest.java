package dev.lodestone.judge.streams;

import static dev.lodestone.judge.testing.TestGroups.group;
import static dev.lodestone.judge.testing.TestGroups.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.serde.DeadLetterReason;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label join, built by {@link LabelJoinTopology#build}, under TopologyTestDriver. */
class LabelJoinTopologyTest {
  private static final Duration UNKNOWN_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration INCOMPLETE_TIMEOUT = Duration.ofMinutes(10);

  @TempDir Path stateDir;

  private LabelJoinHarness join;

  private LabelJoinHarness open(int quorum) {
    return open(config(quorum));
  }

  private LabelJoinConfig config(int quorum) {
    return LabelJoinConfig.of(StreamsAppConfig.defaults("label-join-test", "t", stateDir))
        .withQuorum(quorum)
        .withTimeouts(UNKNOWN_TIMEOUT, INCOMPLETE_TIMEOUT);
  }

  private LabelJoinHarness open(LabelJoinConfig config) {
    join = new LabelJoinHarness(config);
    return join;
  }

  @AfterEach
  void close() {
    if (join != null) {
      join.close();
    }
  }

  private static PairPreference pref(int i, int j, double p, LabelProvenance... labels) {
    return PairPreference.newBuilder()
        .setI(i)
        .setJ(j)
        .setProbability(p)
        .setLabelCount(labels.length)
        .setLabels(List.of(labels))
        .build();
  }

  /** A label of the harness's judges (kind OTHER), oriented i < j. */
  private static LabelProvenance by(String judgeId, double p) {
    return LabelProvenance.newBuilder()
        .setJudgeId(judgeId)
        .setJudgeKind(JudgeKind.OTHER)
        .setProbability(p)
        .build();
  }

  private static LabeledGroup labeled(
      SampleGroup group, List<PairPreference> prefs, List<String> judges, Instant time) {
    return LabeledGroup.newBuilder()
        .setGroup(group)
        .setPreferences(prefs)
        .setJudgeIds(judges)
        .setTime(time)
        .build();
  }

  // ---- happy paths ------------------------------------------------------------------------

  @Test
  void shouldEmitAGroupOfTwoWhenItsOnlyPairIsLabelled() {
    open(1);
    SampleGroup g = group("g2", "rock", "paper");
    join.sample(g);
    assertThat(join.labeled.isEmpty()).isTrue();
    join.label("g2", 0, 1, 0.25, "oracle");

    List<TestRecord<String, LabeledGroup>> out = join.labeled.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).key()).isEqualTo("g2");
    assertThat(out.get(0).value())
        .isEqualTo(
            labeled(
                g, List.of(pref(0, 1, 0.25, by("oracle", 0.25))), List.of("oracle"), join.START));
    assertThat(join.counters.groupsEmitted()).isEqualTo(1);
    assertThat(join.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldEmitAGroupOfThreeOnlyWhenEveryPairIsLabelledAndRemoveItsState() {
    open(1);
    SampleGroup g = group("g3", "rock", "paper", "scissors");
    join.sample(g);
    join.label("g3", 1, 2, 0.75, "oracle");
    join.label("g3", 0, 1, 0.125, "oracle");
    assertThat(join.labeled.isEmpty()).isTrue();
    assertThat(join.counters.pendingGroups()).isEqualTo(1);
    assertThat(join.stateEntries()).isEqualTo(1 + 2 + 1);
    join.label("g3", 0, 2, 0.5, "oracle");

    assertThat(join.labeled.readValuesToList())
        .containsExactly(
            labeled(
                g,
                List.of(
                    pref(0, 1, 0.125, by("oracle", 0.125)),
                    pref(0, 2, 0.5, by("oracle", 0.5)),
                    pref(1, 2, 0.75, by("oracle", 0.75))),
                List.of("oracle"),
                join.START));
    assertThat(join.stateEntries()).isZero();
    assertThat(join.counters.pendingGroups()).isZero();
  }

  @Test
  void shouldOrientALabelForJAboveIAsItsComplement() {
    open(1);
    SampleGroup g = group("g", "rock", "paper");
    join.sample(g);
    join.label("g", 1, 0, 0.75, "oracle"); // P(1 over 0) = 0.75, so P(0 over 1) = 0.25

    assertThat(join.labeled.readValuesToList())
        .extracting(LabeledGroup::getPreferences)
        .containsExactly(List.of(pref(0, 1, 0.25, by("oracle", 0.25))));
  }

  @Test
  void shouldWaitForTwoJudgesWithQuorumTwoAndAverageTheirLabels() {
    open(2);
    SampleGroup g = group("q", "rock", "paper", "scissors");
    join.sample(g);
    join.label("q", 0, 1, 0.5, "llm");
    join.label("q", 0, 2, 1.0, "llm");
    join.label("q", 1, 2, 0.0, "llm");
    join.label("q", 0, 1, 0.25, "oracle");
    join.label("q", 0, 2, 0.5, "oracle");
    assertThat(join.labeled.isEmpty()).as("pair (1,2) has one label").isTrue();
    join.label("q", 2, 1, 0.5, "oracle"); // (1,2) with 0.5

    assertThat(join.labeled.readValuesToList())
        .containsExactly(
            labeled(
                g,
                List.of(
                    pref(0, 1, 0.375, by("llm", 0.5), by("oracle", 0.25)),
                    pref(0, 2, 0.75, by("llm", 1.0), by("oracle", 0.5)),
                    pref(1, 2, 0.25, by("llm", 0.0), by("oracle", 0.5))),
                List.of("llm", "oracle"),
                join.START));
    assertThat(join.stateEntries()).isZero();
  }

  @Test
  void shouldIgnoreAndCountASecondLabelOfTheSameJudgeForAPair() {
    open(2);
    SampleGroup g = group("d", "rock", "paper");
    join.sample(g);
    join.label("d", 0, 1, 0.25, "oracle");
    join.label("d", 0, 1, 0.75, "oracle"); // same judge, same pair
    join.label("d", 1, 0, 0.5, "oracle"); // same pair, other orientation
    assertThat(join.labeled.isEmpty()).as("a duplicate does not count toward the quorum").isTrue();
    assertThat(join.counters.duplicateLabels()).isEqualTo(2);
    join.label("d", 0, 1, 0.75, "llm");

    assertThat(join.labeled.readValuesToList())
        .extracting(LabeledGroup::getPreferences)
        .containsExactly(List.of(pref(0, 1, 0.5, by("llm", 0.75), by("oracle", 0.25))));
    assertThat(join.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldBufferLabelsThatArriveBeforeTheirGroup() {
    open(1);
    join.label("early", 0, 1, 0.25, "oracle");
    join.label("early", 0, 2, 0.5, "oracle");
    join.label("early", 1, 2, 1.0, "oracle");
    assertThat(join.labeled.isEmpty()).isTrue();
    assertThat(join.counters.pendingGroups()).isEqualTo(1);
    join.advance(Duration.ofSeconds(30)); // within the unknown-group timeout
    SampleGroup g = group("early", "rock", "paper", "scissors");
    join.sample(g);

    assertThat(join.labeled.readValuesToList())
        .containsExactly(
            labeled(
                g,
                List.of(
                    pref(0, 1, 0.25, by("oracle", 0.25)),
                    pref(0, 2, 0.5, by("oracle", 0.5)),
                    pref(1, 2, 1.0, by("oracle", 1.0))),
                List.of("oracle"),
                join.START.plusSeconds(30)));
    assertThat(join.stateEntries()).isZero();
    assertThat(join.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldGiveTheSameMeansWhateverTheOrderOfArrival() {
    open(3);
    SampleGroup g = group("o", "rock", "paper");
    join.label("o", 0, 1, 0.1, "a");
    join.label("o", 0, 1, 0.7, "c");
    join.sample(g);
    join.label("o", 0, 1, 0.3, "b");
    LabeledGroup first = join.labeled.readValuesToList().get(0);
    join.label("o2", 0, 1, 0.3, "b");
    join.label("o2", 0, 1, 0.7, "c");
    join.label("o2", 0, 1, 0.1, "a");
    join.sample(group("o2", "rock", "paper"));
    LabeledGroup second = join.labeled.readValuesToList().get(0);

    assertThat(second.getPreferences()).isEqualTo(first.getPreferences());
    assertThat(first.getPreferences().get(0).getProbability()).isEqualTo((0.1 + 0.3 + 0.7) / 3);
    assertThat(first.getJudgeIds()).containsExactly("a", "b", "c");
  }

  // ---- dead letters -----------------------------------------------------------------------

  @Test
  void shouldDeadLetterUndecodableSamplesAndLabelsWithTheirPosition() {
    open(1);
    byte[] garbage = {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1, 2};
    join.samples.pipeInput(utf8("x"), garbage);
    join.labels.pipeInput(utf8("y"), new byte[] {0, 0});
    join.sample(group("ok", "rock", "paper"));
    join.label("ok", 0, 1, 0.5, "oracle");

    List<TestRecord<String, DeadLetter>> letters = join.deadLetters.readRecordsToList();
    assertThat(letters).extracting(TestRecord::key).containsExactly("samples", "labels");
    assertThat(letters)
        .extracting(TestRecord::value)
        .allSatisfy(
            l -> {
              assertThat(l.getErrorType()).isEqualTo("UNDECODABLE");
              assertThat(l.getComponent()).isEqualTo("label-join");
              assertThat(l.getPartition()).isZero();
              assertThat(l.getOffset()).isZero();
            });
    assertThat(letters.get(0).value().getReason()).contains("BAD_MAGIC_BYTE");
    assertThat(letters.get(0).value().getValue()).isEqualTo(ByteBuffer.wrap(garbage));
    assertThat(letters.get(1).value().getReason()).contains("TOO_SHORT");
    assertThat(join.labeled.readValuesToList()).hasSize(1);
    assertThat(join.counters.deadLetters(DeadLetterReason.UNDECODABLE)).isEqualTo(2);
  }

  @Test
  void shouldDeadLetterProbabilitiesThatAreNotInTheUnitInterval() {
    open(1);
    join.sample(group("p", "rock", "paper"));
    double[] bad = {1.7, -0.25, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (double p : bad) {
      join.label("p", 0, 1, p, "oracle");
    }

    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters).hasSize(bad.length);
    assertThat(letters).extracting(DeadLetter::getErrorType).containsOnly("INVALID_PROBABILITY");
    assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(letters.get(0).getReason())
        .isEqualTo(
            "label of group p by judge oracle for pair (0, 1) has probability 1.7,"
                + " which is not in [0, 1]");
    assertThat(letters.get(2).getReason()).contains("probability NaN");
    assertThat(join.labeled.isEmpty()).as("no bad label counts toward the quorum").isTrue();
    join.label("p", 0, 1, 1.0, "oracle");
    assertThat(join.labeled.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldDeadLetterLabelsWithIndicesOutOfRangeOrEqual() {
    open(1);
    join.sample(group("r", "rock", "paper", "scissors"));
    join.label("r", 1, 1, 0.5, "oracle");
    join.label("r", -1, 2, 0.5, "oracle");
    join.label("r", 0, 3, 0.5, "oracle");
    join.label("r", 7, 2, 0.5, "oracle");

    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters).extracting(DeadLetter::getErrorType).containsOnly("INVALID_RECORD");
    assertThat(letters)
        .extracting(DeadLetter::getReason)
        .containsExactly(
            "label of group r by judge oracle has i = 1, j = 1; they must be different response"
                + " indices (>= 0)",
            "label of group r by judge oracle has i = -1, j = 2; they must be different response"
                + " indices (>= 0)",
            "label of group r by judge oracle has i = 0, j = 3, but the group has 3 responses"
                + " (indices 0 to 2)",
            "label of group r by judge oracle has i = 7, j = 2, but the group has 3 responses"
                + " (indices 0 to 2)");
    assertThat(join.counters.deadLetters(DeadLetterReason.INVALID_RECORD)).isEqualTo(4);
  }

  @Test
  void shouldDeadLetterBufferedLabelsThatDoNotFitTheirGroupWhenItArrives() {
    open(1);
    join.label("late", 0, 5, 0.5, "oracle");
    join.label("late", 0, 1, 0.5, "oracle");
    join.sample(group("late", "rock", "paper"));

    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getErrorType()).isEqualTo("INVALID_RECORD");
    assertThat(letters.get(0).getSourceTopic()).isEqualTo("labels");
    assertThat(letters.get(0).getOffset()).isZero();
    assertThat(letters.get(0).getReason()).contains("i = 0, j = 5, but the group has 2 responses");
    assertThat(letters.get(0).getValue())
        .isEqualTo(
            ByteBuffer.wrap(
                join.labelSerializer.encode(TestGroups.label("late", 0, 5, 0.5, "oracle"))));
    assertThat(join.labeled.readValuesToList()).hasSize(1);
    assertThat(join.stateEntries()).isZero();
  }

  @Test
  void shouldNotJoinASampleReSentAfterItsGroupWasEmittedWithinTheDuplicateWindow() {
    open(config(1).withDuplicateWindow(Duration.ofMinutes(5)));
    join.sample(group("g", "rock", "paper"));
    join.label("g", 0, 1, 0.25, "oracle");
    assertThat(join.labeled.readValuesToList()).hasSize(1);
    assertThat(join.emitted()).isEqualTo(1);
    assertThat(join.stateEntries()).isZero();

    // The sampler's retry and the judge's second verdict on it; a label for a response the group
    // never had.
    join.sample(group("g", "rock", "paper"));
    join.label("g", 0, 1, 0.25, "oracle");
    join.label("g", 0, 1, 0.75, "another-judge");
    join.label("g", 0, 2, 0.75, "another-judge");

    assertThat(join.labeled.readValuesToList()).isEmpty();
    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters)
        .satisfiesExactly(
            l -> {
              assertThat(l.getErrorType()).isEqualTo("DUPLICATE_GROUP");
              assertThat(l.getSourceTopic()).isEqualTo("samples");
              assertThat(l.getReason()).contains("sample group g was labelled and emitted");
            },
            l -> {
              assertThat(l.getErrorType()).isEqualTo("INVALID_RECORD");
              assertThat(l.getSourceTopic()).isEqualTo("labels");
              assertThat(l.getReason()).contains("label of group g by judge another-judge");
            });
    assertThat(join.counters.labelsAfterEmission()).isEqualTo(2);
    assertThat(join.counters.deadLetters(DeadLetterReason.DUPLICATE_GROUP)).isEqualTo(1);
    assertThat(join.stateEntries()).isZero();

    // After the window the id is forgotten: the memory is bounded, and the id is new again.
    join.advance(Duration.ofMinutes(6));
    assertThat(join.emitted()).isZero();
    assertThat(join.entries(LabelJoinTopology.DEADLINES_STORE)).isZero();
    join.sample(group("g", "rock", "paper"));
    join.label("g", 0, 1, 0.25, "oracle");
    assertThat(join.labeled.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldDeadLetterInvalidSamplesLabelsKeyedWronglyAndDuplicateGroups() {
    open(1);
    join.sample(group("one", "rock"));
    join.labels.pipeInput(
        utf8("not-g"), join.labelSerializer.encode(TestGroups.label("g", 0, 1, 0.5, "oracle")));
    join.label(TestGroups.label("g", 0, 1, 0.5, " "));
    join.sample(group("dup", "rock", "paper", "scissors"));
    join.sample(group("dup", "rock", "paper"));

    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters)
        .extracting(DeadLetter::getErrorType)
        .containsExactly("INVALID_RECORD", "INVALID_RECORD", "INVALID_RECORD", "DUPLICATE_GROUP");
    assertThat(letters)
        .extracting(DeadLetter::getReason)
        .satisfiesExactly(
            r -> assertThat(r).contains("group one has 1 responses; a group needs at least 2"),
            r -> assertThat(r).contains("record key 'not-g' differs from groupId 'g'"),
            r -> assertThat(r).isEqualTo("judgeId must not be blank"),
            r ->
                assertThat(r)
                    .contains("a sample group with groupId dup is already pending")
                    .contains("the first group is kept"));
    assertThat(letters)
        .extracting(DeadLetter::getSourceTopic)
        .containsExactly("samples", "labels", "labels", "samples");
    join.label("dup", 0, 2, 0.5, "oracle");
    join.label("dup", 0, 1, 0.5, "oracle");
    join.label("dup", 1, 2, 0.5, "oracle");
    assertThat(join.labeled.readValuesToList())
        .extracting(l -> l.getGroup().getResponses().size())
        .containsExactly(3);
  }

  @Test
  void shouldDeadLetterOversizeIdsAsOversize() {
    open(config(1).withLimits(new SampleGroupLimits(8, 100, 10, 1 << 20)));
    join.label("g", 0, 1, 0.5, "a-judge-with-a-long-id");

    assertThat(join.deadLetters.readValuesToList())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.getErrorType()).isEqualTo("OVERSIZE");
              assertThat(l.getReason()).contains("judgeId of 22 characters");
            });
  }

  // ---- timeouts and bounds ----------------------------------------------------------------

  @Test
  void shouldDeadLetterLabelsOfAnUnknownGroupAfterTheTimeout() {
    open(1);
    join.label("ghost", 0, 1, 0.5, "oracle");
    join.advance(Duration.ofSeconds(40));
    join.label("ghost", 0, 2, 0.5, "oracle"); // arrives 40 s later: waits its own 60 s
    join.advance(Duration.ofSeconds(19));
    assertThat(join.deadLetters.isEmpty()).as("59 s: nothing is due").isTrue();

    join.advance(Duration.ofSeconds(2)); // 61 s after the first label
    List<DeadLetter> first = join.deadLetters.readValuesToList();
    assertThat(first).hasSize(1);
    assertThat(first.get(0).getErrorType()).isEqualTo("UNKNOWN_GROUP");
    assertThat(first.get(0).getSourceTopic()).isEqualTo("labels");
    assertThat(first.get(0).getOffset()).isZero();
    assertThat(first.get(0).getKey()).isEqualTo(ByteBuffer.wrap(utf8("ghost")));
    assertThat(first.get(0).getReason())
        .contains("no sample group ghost arrived within unknownGroupTimeout PT1M")
        .contains("judge oracle, pair (0, 1)");
    assertThat(join.counters.pendingGroups()).isEqualTo(1);

    join.advance(Duration.ofSeconds(40)); // 61 s after the second label
    List<DeadLetter> second = join.deadLetters.readValuesToList();
    assertThat(second).extracting(DeadLetter::getOffset).containsExactly(1L);
    assertThat(second).extracting(DeadLetter::getErrorType).containsExactly("UNKNOWN_GROUP");
    assertThat(join.stateEntries()).isZero();
    assertThat(join.counters.pendingGroups()).isZero();
    assertThat(join.counters.deadLetters(DeadLetterReason.UNKNOWN_GROUP)).isEqualTo(2);

    join.sample(group("ghost", "rock", "paper", "scissors")); // too late: waits for new labels
    assertThat(join.labeled.isEmpty()).isTrue();
  }

  @Test
  void shouldGiveUpAGroupThatStaysIncompleteAndDeadLetterItsSample() {
    open(2);
    SampleGroup g = group("slow", "rock", "paper");
    join.sample(g);
    join.label("slow", 0, 1, 0.5, "oracle");
    join.advance(INCOMPLETE_TIMEOUT.minusSeconds(1));
    assertThat(join.deadLetters.isEmpty()).isTrue();
    join.advance(Duration.ofSeconds(2));

    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters).hasSize(1);
    DeadLetter letter = letters.get(0);
    assertThat(letter.getErrorType()).isEqualTo(DeadLetterReason.INCOMPLETE_GROUP.name());
    assertThat(letter.getSourceTopic()).isEqualTo("samples");
    assertThat(letter.getValue()).isEqualTo(ByteBuffer.wrap(join.sampleSerializer.encode(g)));
    assertThat(letter.getReason())
        .isEqualTo(
            "group slow was given up because it did not reach quorum 2 on every pair within"
                + " incompleteGroupTimeout PT10M: 0 of 1 pairs complete; its 1 labels (judges"
                + " [oracle]) were dropped with it");
    assertThat(join.stateEntries()).isZero();
    assertThat(join.counters.groupsExpired()).isEqualTo(1);
    assertThat(join.labeled.isEmpty()).isTrue();
  }

  @Test
  void shouldEvictTheGroupClosestToItsDeadlineWhenTheTaskIsFull() {
    open(config(1).withMaxPendingGroups(2));
    join.sample(group("a", "rock", "paper"));
    join.advance(Duration.ofSeconds(1));
    join.label("b", 0, 1, 0.5, "oracle"); // unknown group: deadline 60 s, the closest
    join.advance(Duration.ofSeconds(1));
    join.sample(group("c", "rock", "paper"));

    List<DeadLetter> letters = join.deadLetters.readValuesToList();
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getErrorType()).isEqualTo("UNKNOWN_GROUP");
    assertThat(letters.get(0).getReason())
        .contains("no sample group b arrived before it was evicted to keep at most")
        .contains("maxPendingGroups 2");
    assertThat(join.counters.pendingGroups()).isEqualTo(2);

    join.sample(group("d", "rock", "paper")); // evicts a, the older known group
    List<DeadLetter> more = join.deadLetters.readValuesToList();
    assertThat(more).extracting(DeadLetter::getErrorType).containsExactly("INCOMPLETE_GROUP");
    assertThat(more.get(0).getKey()).isEqualTo(ByteBuffer.wrap(utf8("a")));
    assertThat(join.counters.pendingGroups()).isEqualTo(2);
    assertThat(join.entries(LabelJoinTopology.GROUPS_STORE)).isEqualTo(2);

    join.label("c", 0, 1, 0.5, "oracle");
    join.label("d", 0, 1, 0.5, "oracle");
    assertThat(join.labeled.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly("c", "d");
    assertThat(join.stateEntries()).isZero();
  }

  @Test
  void shouldCountWhatItDoesUnderStableMetricNames() {
    open(1);
    join.sample(group("m", "rock", "paper"));
    join.label("m", 0, 1, 0.5, "oracle");
    join.label("x", 0, 1, 2.0, "oracle");

    assertThat(join.counters.values())
        .containsEntry("label-join/groupsReceived", 1.0)
        .containsEntry("label-join/labelsReceived", 1.0)
        .containsEntry("label-join/groupsEmitted", 1.0)
        .containsEntry("label-join/duplicateLabels", 0.0)
        .containsEntry("label-join/pendingGroups", 0.0)
        .containsEntry("label-join/deadLetters/INVALID_PROBABILITY", 1.0)
        .containsEntry("label-join/deadLetters/UNKNOWN_GROUP", 0.0)
        .containsEntry("label-join/deadLetters", 1.0);
  }

  // ---- several judges of different kinds --------------------------------------------------

  /** Three judges of three kinds label one pair of a group; returns the emitted group. */
  private LabeledGroup threeKinds(String aggregation, double oracle, double llm, double human) {
    open(config(3).withAggregation(Aggregation.parse(aggregation)));
    SampleGroup g = group("k", "rock", "paper");
    join.sample(g);
    join.label(kind("k", oracle, "oracle:perturbed-rps", JudgeKind.GAME_ORACLE));
    join.label(kind("k", llm, "llm:judge-model", JudgeKind.LLM));
    assertThat(join.labeled.isEmpty()).as("two of three judges").isTrue();
    join.label(kind("k", human, "human:ann", JudgeKind.HUMAN));
    List<LabeledGroup> out = join.labeled.readValuesToList();
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  private static PreferenceLabel kind(String groupId, double p, String judgeId, JudgeKind kind) {
    PreferenceLabel label = TestGroups.label(groupId, 0, 1, p, judgeId);
    label.setJudgeKind(kind);
    return label;
  }

  @Test
  void shouldKeepEveryJudgesLabelWithItsKindAndMeanThem() {
    LabeledGroup out = threeKinds("mean", 0.75, 1.0, 0.0);
    PairPreference pair = out.getPreferences().get(0);
    assertThat(pair.getProbability()).isCloseTo(1.75 / 3, within(1e-15));
    assertThat(pair.getLabelCount()).isEqualTo(3);
    assertThat(pair.getLabels())
        .extracting(
            LabelProvenance::getJudgeId,
            LabelProvenance::getJudgeKind,
            LabelProvenance::getProbability)
        .containsExactly(
            tuple("human:ann", JudgeKind.HUMAN, 0.0),
            tuple("llm:judge-model", JudgeKind.LLM, 1.0),
            tuple("oracle:perturbed-rps", JudgeKind.GAME_ORACLE, 0.75));
    assertThat(out.getAggregation()).isEqualTo("mean");
    assertThat(out.getJudgeIds())
        .containsExactly("human:ann", "llm:judge-model", "oracle:perturbed-rps");
    assertThat(join.counters.values())
        .containsEntry("label-join/pairsWithSeveralJudges", 1.0)
        .containsEntry("label-join/judgeDisagreementRate", 1.0);
  }

  @Test
  void shouldTakeTheMajorityVote() {
    assertThat(threeKinds("majority", 0.75, 1.0, 0.0).getPreferences().get(0).getProbability())
        .isEqualTo(1.0);
    close();
    assertThat(threeKinds("majority", 0.25, 1.0, 0.0).getPreferences().get(0).getProbability())
        .isEqualTo(0.0);
    close();
    assertThat(threeKinds("majority", 0.5, 1.0, 0.0).getPreferences().get(0).getProbability())
        .as("one for each side and one abstention")
        .isEqualTo(0.5);
    assertThat(join.counters.values()).containsEntry("label-join/judgeDisagreementRate", 1.0);
  }

  @Test
  void shouldWeighTheKinds() {
    LabeledGroup out = threeKinds("weighted:human=3,llm=0.5", 0.75, 1.0, 0.0);
    // (1 * 0.75 + 0.5 * 1.0 + 3 * 0.0) / (1 + 0.5 + 3); the oracle's kind weighs 1
    assertThat(out.getPreferences().get(0).getProbability()).isCloseTo(1.25 / 4.5, within(1e-15));
    assertThat(out.getAggregation())
        .isEqualTo("weighted:GAME_ORACLE=1.0,HUMAN=3.0,LLM=0.5,PREFERENCE_MODEL=1.0,OTHER=1.0");
  }

  @Test
  void shouldCountNoDisagreementWhenTheJudgesAgree() {
    threeKinds("mean", 0.75, 1.0, 0.5);
    assertThat(join.counters.values()).containsEntry("label-join/judgeDisagreementRate", 0.0);
  }
}
