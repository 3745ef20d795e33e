package dev.lodestone.judge.streams;

import static dev.lodestone.judge.testing.TestGroups.group;
import static dev.lodestone.judge.testing.TestGroups.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lodestone.judge.JudgeContractException;
import dev.lodestone.judge.PairJudge;
import dev.lodestone.judge.testing.TestGroups;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.InMemorySchemaRegistry;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.schemas.serde.WireFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judge topology, built by {@link JudgeTopology#build}, under TopologyTestDriver. */
class JudgeTopologyTest {
  private static final Instant START = Instant.parse("2027-01-01T00:00:00Z");

  @TempDir Path stateDir;

  private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
  private final AvroSerializer<SampleGroup> sampleSerializer =
      TopicSerdes.valueSerde(Topics.SAMPLES, registry).serializer();
  private JudgeCounters counters;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> samples;
  private TestOutputTopic<String, PreferenceLabel> labels;
  private TestOutputTopic<String, DeadLetter> deadLetters;

  @BeforeEach
  void start() {
    open(TestGroups.rpsJudge("oracle-rps"), SampleGroupLimits.DEFAULT);
  }

  private void open(PairJudge judge, SampleGroupLimits limits) {
    if (driver != null) {
      driver.close();
    }
    JudgeConfig config =
        new JudgeConfig(StreamsAppConfig.defaults("judge-test", "t", stateDir), limits);
    counters = new JudgeCounters();
    driver =
        new TopologyTestDriver(
            JudgeTopology.build(config, judge, registry, counters),
            config
                .streams()
                .streamsProperties(ClusterConfig.of("localhost:9092", "http://localhost:8081")),
            START);
    samples =
        driver.createInputTopic(
            Topics.SAMPLES.name(), new ByteArraySerializer(), new ByteArraySerializer());
    labels =
        driver.createOutputTopic(
            Topics.LABELS.name(),
            new StringDeserializer(),
            TopicSerdes.valueDeserializer(Topics.LABELS, registry));
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(),
            new StringDeserializer(),
            TopicSerdes.valueDeserializer(Topics.DEAD_LETTERS, registry));
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void send(SampleGroup group) {
    samples.pipeInput(utf8(group.getGroupId()), sampleSerializer.encode(group));
  }

  private static PreferenceLabel expected(String groupId, int i, int j, double p) {
    return PreferenceLabel.newBuilder()
        .setGroupId(groupId)
        .setI(i)
        .setJ(j)
        .setProbability(p)
        .setJudgeId("oracle-rps")
        .setJudgeKind(JudgeKind.GAME_ORACLE)
        .setTime(START)
        .build();
  }

  @Test
  void shouldEmitOneLabelForAGroupOfTwo() {
    send(group("g2", "paper", "scissors"));

    assertThat(labels.readKeyValuesToList())
        .extracting(kv -> kv.key, kv -> kv.value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("g2", expected("g2", 0, 1, 1.0 / 3.0)));
    assertThat(counters.groupsJudged()).isEqualTo(1);
    assertThat(counters.labelsEmitted()).isEqualTo(1);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldEmitThreeLabelsInPairOrderForAGroupOfThree() {
    send(group("g3", "scissors", "rock", "paper"));

    assertThat(labels.readValuesToList())
        .containsExactly(
            expected("g3", 0, 1, 0.0), expected("g3", 0, 2, 2.0 / 3.0), expected("g3", 1, 2, 0.0));
    assertThat(counters.labelsEmitted()).isEqualTo(3);
  }

  @Test
  void shouldSkipAndCountGroupsOfAnotherTask() {
    send(TestGroups.groupOfTask("other", "condorcet", "a", "b"));
    send(group("mine", "rock", "rock"));

    assertThat(labels.readValuesToList()).containsExactly(expected("mine", 0, 1, 0.5));
    assertThat(counters.groupsSkipped()).isEqualTo(1);
    assertThat(counters.groupsJudged()).isEqualTo(1);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterUndecodableBytesWithTheirPositionAndKeepGoing() {
    byte[] garbage = {1, 2, 3, 4, 5, 6, 7};
    byte[] valid = sampleSerializer.encode(group("ok", "rock", "paper"));
    byte[] unknownId = WireFormat.frame(424_242, Arrays.copyOfRange(valid, 5, valid.length));
    samples.pipeInput(utf8("bad"), garbage);
    samples.pipeInput(utf8("bad2"), unknownId);
    samples.pipeInput(utf8("ok"), valid);

    List<org.apache.kafka.streams.test.TestRecord<String, DeadLetter>> letters =
        deadLetters.readRecordsToList();
    assertThat(letters).hasSize(2);
    DeadLetter first = letters.get(0).value();
    assertThat(letters.get(0).key()).isEqualTo("samples");
    assertThat(first.getErrorType()).isEqualTo("UNDECODABLE");
    assertThat(first.getSourceTopic()).isEqualTo("samples");
    assertThat(first.getPartition()).isZero();
    assertThat(first.getOffset()).isZero();
    assertThat(first.getComponent()).isEqualTo("judge");
    assertThat(first.getValue()).isEqualTo(ByteBuffer.wrap(garbage));
    assertThat(first.getKey()).isEqualTo(ByteBuffer.wrap(utf8("bad")));
    assertThat(first.getReason()).contains("BAD_MAGIC_BYTE").contains("offset 0");
    assertThat(letters.get(1).value().getOffset()).isEqualTo(1);
    assertThat(letters.get(1).value().getReason()).contains("UNKNOWN_SCHEMA_ID");
    assertThat(labels.readValuesToList()).containsExactly(expected("ok", 0, 1, 0.0));
    assertThat(counters.deadLetters(DeadLetterReason.UNDECODABLE)).isEqualTo(2);
  }

  @Test
  void shouldDeadLetterInvalidGroupsWithAReasonNamingTheProblem() {
    SampleGroup one = group("one", "rock");
    SampleGroup lengths = group("lengths", "rock", "paper");
    lengths.getResponses().set(1, withLogProbs(lengths.getResponses().get(1), List.of(-1f)));
    SampleGroup nan = group("nan", "rock", "paper");
    List<Float> lp = List.of(-1f, Float.NaN, -1f, -1f, -1f, -1f);
    nan.getResponses().set(1, withLogProbs(nan.getResponses().get(1), lp));
    send(one);
    send(lengths);
    send(nan);
    samples.pipeInput(
        utf8("another-key"), sampleSerializer.encode(group("keyed", "rock", "paper")));
    samples.pipeInput(null, sampleSerializer.encode(group("nokey", "rock", "paper")));

    List<DeadLetter> letters = deadLetters.readValuesToList();
    assertThat(letters).extracting(DeadLetter::getErrorType).containsOnly("INVALID_RECORD");
    assertThat(letters)
        .extracting(DeadLetter::getReason)
        .satisfiesExactly(
            r -> assertThat(r).contains("group one has 1 responses"),
            r -> assertThat(r).contains("response 1 has 6 tokenIds but 1 logProbs"),
            r -> assertThat(r).contains("logProbs[1] = NaN"),
            r -> assertThat(r).contains("record key 'another-key' differs from groupId 'keyed'"),
            r -> assertThat(r).contains("record key null differs from groupId 'nokey'"));
    assertThat(letters).extracting(DeadLetter::getOffset).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(labels.isEmpty()).isTrue();
    assertThat(counters.deadLetters(DeadLetterReason.INVALID_RECORD)).isEqualTo(5);
  }

  @Test
  void shouldDeadLetterOversizeGroupsAsOversize() {
    open(TestGroups.rpsJudge("oracle-rps"), new SampleGroupLimits(3, 20, 8, 4096));
    send(group("many", "rock", "paper", "scissors", "rock"));
    send(group("long", "rock", "paper-paper-paper-paper"));
    send(group("group-id-too-long", "rock", "paper"));
    samples.pipeInput(utf8("huge"), new byte[5000]);

    List<DeadLetter> letters = deadLetters.readValuesToList();
    assertThat(letters).extracting(DeadLetter::getErrorType).containsOnly("OVERSIZE");
    assertThat(letters)
        .extracting(DeadLetter::getReason)
        .satisfiesExactly(
            r -> assertThat(r).contains("4 responses, more than maxResponses 3"),
            r ->
                assertThat(r)
                    .contains("text of response 1 has 23 characters, more than maxTextChars 20"),
            r -> assertThat(r).contains("groupId of 17 characters is longer than maxIdChars 8"),
            r -> assertThat(r).contains("record of 5000 bytes is larger than maxRecordBytes 4096"));
    assertThat(labels.isEmpty()).isTrue();
  }

  @Test
  void shouldFailRatherThanPublishAProbabilityOutsideTheUnitInterval() {
    for (double bad : new double[] {1.5, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      open(constantJudge(bad), SampleGroupLimits.DEFAULT);
      assertThatThrownBy(() -> send(group("g", "rock", "paper", "scissors")))
          .isInstanceOf(StreamsException.class)
          .hasRootCauseInstanceOf(JudgeContractException.class)
          .rootCause()
          .hasMessageContaining("returned probability " + bad)
          .hasMessageContaining("group g");
      assertThat(labels.isEmpty()).as("p = %s", bad).isTrue();
    }
  }

  @Test
  void shouldFailWhenTheJudgeReturnsTheWrongNumberOfPreferences() {
    PairJudge shortJudge =
        new PairJudge() {
          @Override
          public String judgeId() {
            return "short";
          }

          @Override
          public JudgeKind kind() {
            return JudgeKind.OTHER;
          }

          @Override
          public boolean accepts(SampleGroup group) {
            return true;
          }

          @Override
          public double preference(SampleGroup group, int i, int j) {
            return 0.5;
          }

          @Override
          public double[] preferences(SampleGroup group) {
            return new double[] {0.5};
          }
        };
    open(shortJudge, SampleGroupLimits.DEFAULT);
    assertThatThrownBy(() -> send(group("g", "rock", "paper", "scissors")))
        .hasRootCauseInstanceOf(JudgeContractException.class)
        .rootCause()
        .hasMessageContaining("returned 1 preferences")
        .hasMessageContaining("expected 3");
    assertThat(labels.isEmpty()).isTrue();
  }

  private static PairJudge constantJudge(double p) {
    return new dev.lodestone.judge.TextPreferenceJudge(
        "constant", JudgeKind.OTHER, TestGroups.TASK, (a, b) -> p);
  }

  private static Response withLogProbs(Response r, List<Float> logProbs) {
    return Response.newBuilder(r).setLogProbs(logProbs).build();
  }
}
