package dev.lodestone.schemas.testing;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.FeedbackItem;
import dev.lodestone.schemas.avro.FeedbackPair;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelProvenance;
import dev.lodestone.schemas.avro.LabelVerdict;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PairPreference;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.avro.TopicPartitionOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * One fully populated example value per catalogue topic, with every field set (optional fields to
 * non-null values) and non-ASCII text, for round-trip tests and fixtures.
 */
public final class SampleRecords {
  private SampleRecords() {}

  /** A fixed instant, so that examples are identical on every run. */
  public static final Instant TIME = Instant.ofEpochMilli(1_790_000_000_123L);

  public static Prompt prompt() {
    return Prompt.newBuilder()
        .setPromptId("prompt-1")
        .setTask("perturbed-rps")
        .setText("Choose your move. (¿piedra, papel o tijera?)")
        .setTime(TIME)
        .build();
  }

  public static SampleGroup sampleGroup() {
    return SampleGroup.newBuilder()
        .setGroupId("group-1")
        .setPromptId("prompt-1")
        .setTask("perturbed-rps")
        .setPrompt("Choose your move.")
        .setPromptTokenIds(List.of(1, 67, 104, 111, 2))
        .setResponses(
            List.of(
                Response.newBuilder()
                    .setText("rock")
                    .setTokenIds(List.of(114, 111, 99, 107, 3))
                    .setLogProbs(List.of(-0.25f, -0.5f, -1.5f, -0.125f, -0.0625f))
                    .setFinished(true)
                    .build(),
                Response.newBuilder()
                    .setText("papér")
                    .setTokenIds(List.of(112, 97))
                    .setLogProbs(List.of(-2.0f, Float.NEGATIVE_INFINITY))
                    .setFinished(false)
                    .build()))
        .setPolicyVersion(7)
        .setMagnetVersion(3)
        .setSamplerId("sampler-a")
        .setTime(TIME)
        .setModelId("perturbed-rps")
        .build();
  }

  public static PreferenceLabel preferenceLabel() {
    return PreferenceLabel.newBuilder()
        .setGroupId("group-1")
        .setI(0)
        .setJ(1)
        .setProbability(0.75)
        .setJudgeId("oracle-1")
        .setJudgeKind(JudgeKind.HUMAN)
        .setTime(TIME)
        .setVerdict(LabelVerdict.I_BETTER)
        .setRationale("A answers the question; B repeats it.")
        .setShownFirst(1)
        .setResponseMillis(4_250L)
        .build();
  }

  public static FeedbackItem feedbackItem() {
    return FeedbackItem.newBuilder()
        .setGroupId("group-1")
        .setModelId("perturbed-rps")
        .setTask("perturbed-rps")
        .setPrompt("Play rock, paper or scissors.")
        .setResponses(List.of("rock", "paper", "<b>scissors</b>"))
        .setPolicyVersion(7)
        .setArrived(TIME)
        .setPairs(
            List.of(
                FeedbackPair.newBuilder()
                    .setI(0)
                    .setJ(1)
                    .setLabelledBy(List.of("alice", "bob"))
                    .setSkippedBy(List.of("carol"))
                    .build(),
                FeedbackPair.newBuilder()
                    .setI(0)
                    .setJ(2)
                    .setLabelledBy(List.of())
                    .setSkippedBy(List.of())
                    .build(),
                FeedbackPair.newBuilder()
                    .setI(1)
                    .setJ(2)
                    .setLabelledBy(List.of("alice"))
                    .setSkippedBy(List.of())
                    .build()))
        .build();
  }

  public static LabeledGroup labeledGroup() {
    return LabeledGroup.newBuilder()
        .setGroup(sampleGroup())
        .setPreferences(
            List.of(
                PairPreference.newBuilder()
                    .setI(0)
                    .setJ(1)
                    .setProbability(0.625)
                    .setLabelCount(2)
                    .setLabels(
                        List.of(
                            LabelProvenance.newBuilder()
                                .setJudgeId("llm-1")
                                .setJudgeKind(JudgeKind.LLM)
                                .setProbability(0.5)
                                .build(),
                            LabelProvenance.newBuilder()
                                .setJudgeId("oracle-1")
                                .setJudgeKind(JudgeKind.GAME_ORACLE)
                                .setProbability(0.75)
                                .build()))
                    .build()))
        .setJudgeIds(List.of("llm-1", "oracle-1"))
        .setAggregation("mean")
        .setTime(TIME)
        .build();
  }

  public static PolicyVersion policyVersion() {
    return PolicyVersion.newBuilder()
        .setModelId("model-1")
        .setRole(ModelRole.MAGNET)
        .setVersion(4)
        .setMagnetVersion(4)
        .setStep(400)
        .setAlgorithm("mpo")
        .setChunkIndex(1)
        .setChunkCount(3)
        .setWeights(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xff, 127, -128}))
        .setUri("file:///weights/model-1/magnet/4")
        .setSha256("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        .setTotalBytes(1_750_000)
        .setConsumedOffsets(List.of(new TopicPartitionOffset("labeled", 0, 1234L)))
        .setConsumedGroups(25_600)
        .setGroupsPerVersion(64)
        .setSamplesBase(4096)
        .setDeadLettersBase(17)
        .setSamplesBaseOffsets(List.of(512L, 0L, 1024L, 2560L))
        .setTime(TIME)
        .build();
  }

  public static LearnerCheckpoint learnerCheckpoint() {
    return LearnerCheckpoint.newBuilder()
        .setModelId("model-1")
        .setStep(400)
        .setPolicyVersion(9)
        .setMagnetVersion(4)
        .setAlgorithm("mpo")
        .setSeed(42)
        .setConfig("{\"eta\": 1.0, \"alpha\": 0.1, \"magnetEvery\": 10}")
        .setOffsets(List.of(new TopicPartitionOffset("labeled", 0, 1234L)))
        .setChunkIndex(0)
        .setChunkCount(1)
        .setState(ByteBuffer.wrap("optimizer state".getBytes(StandardCharsets.UTF_8)))
        .setSha256("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210")
        .setTotalBytes(15)
        .setTime(TIME)
        .build();
  }

  public static MetricEvent metricEvent() {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("loss/policy", 0.5);
    values.put("kl/magnet", 0.015625);
    values.put("eval/exploitability", Double.NaN);
    return MetricEvent.newBuilder()
        .setComponent("learner")
        .setInstanceId("learner-1")
        .setStep(400)
        .setPolicyVersion(9)
        .setValues(values)
        .setTags(Map.of("task", "perturbed-rps"))
        .setTime(TIME)
        .build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic("labels")
        .setPartition(3)
        .setOffset(77)
        .setKey(ByteBuffer.wrap("group-1".getBytes(StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .setReason("probability 1.5 is outside [0, 1]")
        .setErrorType("INVALID_PROBABILITY")
        .setComponent("label-join")
        .setTime(TIME)
        .build();
  }

  /** One example per catalogue topic, in {@link Topics#ALL} order. */
  public static Map<TopicSpec<?>, SpecificRecord> byTopic() {
    Map<TopicSpec<?>, SpecificRecord> all = new LinkedHashMap<>();
    all.put(Topics.PROMPTS, prompt());
    all.put(Topics.SAMPLES, sampleGroup());
    all.put(Topics.LABELS, preferenceLabel());
    all.put(Topics.FEEDBACK, feedbackItem());
    all.put(Topics.LABELED, labeledGroup());
    all.put(Topics.REPLAY, labeledGroup());
    all.put(Topics.POLICY, policyVersion());
    all.put(Topics.LEARNER_STATE, learnerCheckpoint());
    all.put(Topics.METRICS, metricEvent());
    all.put(Topics.DEAD_LETTERS, deadLetter());
    if (!List.copyOf(all.keySet()).equals(Topics.ALL)) {
      throw new IllegalStateException("SampleRecords misses a catalogue topic: update it");
    }
    return all;
  }
}
