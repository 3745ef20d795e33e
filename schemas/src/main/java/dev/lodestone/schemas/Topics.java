package dev.lodestone.schemas;

import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.FeedbackItem;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Prompt;
import dev.lodestone.schemas.avro.SampleGroup;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The topic catalogue (docs/design.md, "Topics"): the one place where topic names, layouts and
 * value types are defined. No other code spells a topic name.
 */
public final class Topics {
  private Topics() {}

  /** Largest record the catalogue's topics accept; weight chunks stay well below it. */
  public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  /** Segment size of the compacted topics that carry weights. */
  public static final int COMPACTED_SEGMENT_BYTES = 64 * 1024 * 1024;

  private static final Map<String, String> LARGE =
      Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));

  /**
   * Weights and checkpoints (megabytes per version): the log cleaner compacts only closed segments,
   * so with Kafka's 1 GiB default a long run would keep every superseded version until a gigabyte
   * had piled up. Smaller segments let it reclaim them within a few dozen versions.
   */
  private static final Map<String, String> LARGE_COMPACTED =
      Map.of(
          "max.message.bytes",
          Integer.toString(MAX_MESSAGE_BYTES),
          "segment.bytes",
          Integer.toString(COMPACTED_SEGMENT_BYTES));

  /**
   * The recorded log (samples, labels, labelled groups) is kept: replaying it, relabelling it and
   * exporting it need every record, so these topics never delete by time or size. On a real
   * cluster, size the disks for it or set a retention deliberately (README, "Recorded logs").
   */
  private static final Map<String, String> KEPT =
      Map.of("retention.ms", "-1", "retention.bytes", "-1");

  /** Optional external prompt source. Key: prompt id. */
  public static final TopicSpec<Prompt> PROMPTS =
      new TopicSpec<>("prompts", 4, TopicSpec.Cleanup.DELETE, Prompt.class, Map.of());

  /** Sample groups from the samplers. Key: group id. */
  public static final TopicSpec<SampleGroup> SAMPLES =
      new TopicSpec<>("samples", 8, TopicSpec.Cleanup.DELETE, SampleGroup.class, KEPT);

  /** Preference labels from the judges, one record per judge and pair. Key: group id. */
  public static final TopicSpec<PreferenceLabel> LABELS =
      new TopicSpec<>("labels", 8, TopicSpec.Cleanup.DELETE, PreferenceLabel.class, KEPT);

  /**
   * Sample groups complete with their preferences; one partition, a total order for the learner.
   * Key: group id.
   */
  public static final TopicSpec<LabeledGroup> LABELED =
      new TopicSpec<>("labeled", 1, TopicSpec.Cleanup.DELETE, LabeledGroup.class, KEPT);

  /**
   * Labelled groups for replays, apart from the live {@link #LABELED} so that no live learner
   * trains on them: logs imported by {@code lodestone replay --from FILE} and samples relabelled by
   * {@code lodestone relabel}, each batch in one transaction at an offset range of its own. One
   * partition, as {@code labeled}. Key: group id.
   */
  public static final TopicSpec<LabeledGroup> REPLAY =
      new TopicSpec<>("replay", 1, TopicSpec.Cleanup.DELETE, LabeledGroup.class, KEPT);

  /**
   * Policy and magnet versions in chunks, one transaction per version. Key: model id/role/chunk
   * index.
   */
  public static final TopicSpec<PolicyVersion> POLICY =
      new TopicSpec<>("policy", 1, TopicSpec.Cleanup.COMPACT, PolicyVersion.class, LARGE_COMPACTED);

  /** Learner checkpoints in chunks, written with the policy version. Key: model id/chunk index. */
  public static final TopicSpec<LearnerCheckpoint> LEARNER_STATE =
      new TopicSpec<>(
          "learner-state", 1, TopicSpec.Cleanup.COMPACT, LearnerCheckpoint.class, LARGE_COMPACTED);

  /** Measurements for dashboards and reports. Key: component. */
  public static final TopicSpec<MetricEvent> METRICS =
      new TopicSpec<>("metrics", 1, TopicSpec.Cleanup.DELETE, MetricEvent.class, Map.of());

  /** Every rejected record, with its reason. Key: source topic. */
  public static final TopicSpec<DeadLetter> DEAD_LETTERS =
      new TopicSpec<>("dead-letters", 1, TopicSpec.Cleanup.DELETE, DeadLetter.class, LARGE);

  /**
   * The human judge's queue: every sample group waiting for people, with who has answered which
   * pair; compacted, a tombstone ends a group's wait. Written in the same transactions as the
   * labels and the consumed offsets of {@code samples}, so that a restarted feedback service finds
   * its queue as it was. Key: group id.
   */
  public static final TopicSpec<FeedbackItem> FEEDBACK =
      new TopicSpec<>("feedback", 1, TopicSpec.Cleanup.COMPACT, FeedbackItem.class, Map.of());

  /** Every topic, in pipeline order. */
  public static final List<TopicSpec<?>> ALL =
      List.of(
          PROMPTS,
          SAMPLES,
          LABELS,
          FEEDBACK,
          LABELED,
          REPLAY,
          POLICY,
          LEARNER_STATE,
          METRICS,
          DEAD_LETTERS);

  /** The catalogue entry of a topic name, if it is one of ours. */
  public static Optional<TopicSpec<?>> byName(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
