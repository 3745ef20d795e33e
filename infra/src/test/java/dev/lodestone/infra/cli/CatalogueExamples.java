package dev.lodestone.infra.cli;

import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.FeedbackItem;
import dev.lodestone.schemas.avro.FeedbackPair;
import dev.lodestone.schemas.avro.JudgeKind;
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
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;

/** One populated value of each catalogue topic's record type, for round trips through a stack. */
final class CatalogueExamples {
  private CatalogueExamples() {}

  /** A catalogue topic and a way to make an example value of its type (a fresh one each call). */
  record Example<V extends SpecificRecord>(TopicSpec<V> topic, Supplier<V> value) {}

  private static final Instant TIME = Instant.ofEpochMilli(1_790_000_000_123L);

  /** One example per catalogue topic, in catalogue order; fails if the catalogue grew. */
  static List<Example<?>> all() {
    List<Example<?>> all =
        List.of(
            new Example<>(Topics.PROMPTS, CatalogueExamples::prompt),
            new Example<>(Topics.SAMPLES, CatalogueExamples::sampleGroup),
            new Example<>(Topics.LABELS, CatalogueExamples::preferenceLabel),
            new Example<>(Topics.FEEDBACK, CatalogueExamples::feedbackItem),
            new Example<>(Topics.LABELED, CatalogueExamples::labeledGroup),
            new Example<>(Topics.REPLAY, CatalogueExamples::labeledGroup),
            new Example<>(Topics.POLICY, CatalogueExamples::policyVersion),
            new Example<>(Topics.LEARNER_STATE, CatalogueExamples::learnerCheckpoint),
            new Example<>(Topics.METRICS, CatalogueExamples::metricEvent),
            new Example<>(Topics.DEAD_LETTERS, CatalogueExamples::deadLetter));
    if (!all.stream().map(Example::topic).toList().equals(Topics.ALL)) {
      throw new IllegalStateException("CatalogueExamples misses a catalogue topic: add it");
    }
    return all;
  }

  static Prompt prompt() {
    return Prompt.newBuilder()
        .setPromptId("prompt-7")
        .setTask("perturbed-rps")
        .setText("Choose your move — «piedra, papel o tijera»")
        .setTime(TIME)
        .build();
  }

  static SampleGroup sampleGroup() {
    return SampleGroup.newBuilder()
        .setGroupId("group-7")
        .setPromptId("prompt-7")
        .setTask("perturbed-rps")
        .setPrompt("Choose your move.")
        .setPromptTokenIds(List.of(1, 67, 104, 2))
        .setResponses(
            List.of(
                Response.newBuilder()
                    .setText("paper")
                    .setTokenIds(List.of(112, 97, 112, 101, 114, 3))
                    .setLogProbs(List.of(-0.5f, -0.25f, -0.125f, -1f, -2f, -0.0625f))
                    .setFinished(true)
                    .build(),
                Response.newBuilder()
                    .setText("scissörs")
                    .setTokenIds(List.of(115, 99))
                    .setLogProbs(List.of(-3f, Float.NEGATIVE_INFINITY))
                    .setFinished(false)
                    .build()))
        .setPolicyVersion(12)
        .setMagnetVersion(10)
        .setSamplerId("sampler-b")
        .setTime(TIME)
        .build();
  }

  static PreferenceLabel preferenceLabel() {
    return PreferenceLabel.newBuilder()
        .setGroupId("group-7")
        .setI(1)
        .setJ(0)
        .setProbability(0.25)
        .setJudgeId("oracle-2")
        .setJudgeKind(JudgeKind.HUMAN)
        .setTime(TIME)
        .setVerdict(LabelVerdict.J_BETTER)
        .setRationale("<script>alert(1)</script> is not an answer")
        .setShownFirst(0)
        .setResponseMillis(12_000L)
        .build();
  }

  static FeedbackItem feedbackItem() {
    return FeedbackItem.newBuilder()
        .setGroupId("group-7")
        .setModelId("perturbed-rps")
        .setTask("perturbed-rps")
        .setPrompt("Choose your move.")
        .setResponses(List.of("paper", "scissörs"))
        .setPolicyVersion(3)
        .setArrived(TIME)
        .setPairs(
            List.of(
                FeedbackPair.newBuilder()
                    .setI(0)
                    .setJ(1)
                    .setLabelledBy(List.of("ann-1"))
                    .setSkippedBy(List.of("ann-2"))
                    .build()))
        .build();
  }

  static LabeledGroup labeledGroup() {
    return LabeledGroup.newBuilder()
        .setGroup(sampleGroup())
        .setPreferences(
            List.of(
                PairPreference.newBuilder()
                    .setI(0)
                    .setJ(1)
                    .setProbability(0.75)
                    .setLabelCount(1)
                    .build()))
        .setJudgeIds(List.of("oracle-2"))
        .setTime(TIME)
        .build();
  }

  static PolicyVersion policyVersion() {
    return PolicyVersion.newBuilder()
        .setModelId("model-7")
        .setRole(ModelRole.POLICY)
        .setVersion(12)
        .setMagnetVersion(10)
        .setStep(1200)
        .setAlgorithm("mpo")
        .setChunkIndex(0)
        .setChunkCount(2)
        .setWeights(ByteBuffer.wrap(new byte[] {9, 8, 7, (byte) 0x80, 0, 1}))
        .setUri("file:///weights/model-7/policy/12")
        .setSha256("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
        .setTotalBytes(12)
        .setConsumedOffsets(List.of(new TopicPartitionOffset(Topics.LABELED.name(), 0, 99L)))
        .setTime(TIME)
        .build();
  }

  static LearnerCheckpoint learnerCheckpoint() {
    return LearnerCheckpoint.newBuilder()
        .setModelId("model-7")
        .setStep(1200)
        .setPolicyVersion(12)
        .setMagnetVersion(10)
        .setAlgorithm("mpo")
        .setSeed(7)
        .setConfig("{\"eta\": 1.0, \"alpha\": 0.1}")
        .setOffsets(List.of(new TopicPartitionOffset(Topics.LABELED.name(), 0, 99L)))
        .setChunkIndex(0)
        .setChunkCount(1)
        .setState(ByteBuffer.wrap("adam moments".getBytes(StandardCharsets.UTF_8)))
        .setSha256("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100")
        .setTotalBytes(12)
        .setTime(TIME)
        .build();
  }

  static MetricEvent metricEvent() {
    return MetricEvent.newBuilder()
        .setComponent("learner")
        .setInstanceId("learner-7")
        .setStep(1200)
        .setPolicyVersion(12)
        .setValues(Map.of("loss/policy", 0.375, "kl/magnet", 0.03125))
        .setTags(Map.of("task", "perturbed-rps"))
        .setTime(TIME)
        .build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic(Topics.LABELS.name())
        .setPartition(5)
        .setOffset(41)
        .setKey(ByteBuffer.wrap("group-7".getBytes(StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 42, 1}))
        .setReason("unknown schema id 42")
        .setErrorType("UNKNOWN_SCHEMA_ID")
        .setComponent("label-join")
        .setTime(TIME)
        .build();
  }
}
