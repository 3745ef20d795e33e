package dev.lodestone.judge.streams;

import dev.lodestone.judge.streams.internal.StreamsRunner;
import dev.lodestone.judge.streams.internal.TopicCheck;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The label join as a service: runs {@link LabelJoinTopology} with Kafka Streams ({@code
 * exactly_once_v2}) and publishes its {@link LabelJoinCounters} to {@code metrics} every {@code
 * metricsInterval}.
 *
 * <pre>{@code
 * LabelJoinConfig config =
 *     LabelJoinConfig.of(StreamsAppConfig.defaults("label-join", "a", stateDir)).withQuorum(2);
 * try (LabelJoinService join = new LabelJoinService(config, cluster)) {
 *   join.start(Duration.ofSeconds(60));
 *   ...
 * }
 * }</pre>
 *
 * Start checks that {@code samples}, {@code labels}, {@code labeled}, {@code dead-letters} and
 * {@code metrics} exist and that {@code samples} and {@code labels} have the same number of
 * partitions (the join reads partition n of both in one task); otherwise it fails with a {@code
 * ServiceException} that names the topics and their counts.
 */
public final class LabelJoinService extends StreamsService {
  private final LabelJoinConfig config;
  private final LabelJoinCounters counters = new LabelJoinCounters();

  /** A label-join service that reaches the registry at the cluster's registry URL. */
  public LabelJoinService(LabelJoinConfig config, ClusterConfig cluster) {
    this(config, cluster, Objects.requireNonNull(cluster, "cluster").registryClient());
  }

  /**
   * A label-join service with a given registry client.
   *
   * @param config the join's configuration
   * @param cluster where to connect
   * @param registry the schema registry of the serdes
   */
  public LabelJoinService(
      LabelJoinConfig config, ClusterConfig cluster, SchemaRegistryClient registry) {
    super(
        LabelJoinCounters.COMPONENT
            + "-"
            + Objects.requireNonNull(config, "config").streams().instanceId());
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(registry, "registry");
    List<TopicSpec<?>> topics =
        List.of(Topics.SAMPLES, Topics.LABELS, Topics.LABELED, Topics.DEAD_LETTERS, Topics.METRICS);
    runs(
        new StreamsRunner.Spec(
            name(),
            LabelJoinCounters.COMPONENT,
            config.streams(),
            cluster,
            registry,
            topics,
            counts ->
                TopicCheck.requireCoPartitioned(
                    counts, Topics.SAMPLES.name(), Topics.LABELS.name()),
            () -> LabelJoinTopology.build(config, registry, counters),
            counters::values,
            Map.of(
                "applicationId",
                config.streams().applicationId(),
                "quorum",
                Integer.toString(config.quorum()))));
  }

  /** What this instance has counted since it started. */
  public LabelJoinCounters counters() {
    return counters;
  }
}
