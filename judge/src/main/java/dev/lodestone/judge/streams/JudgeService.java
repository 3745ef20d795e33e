package dev.lodestone.judge.streams;

import dev.lodestone.judge.PairJudge;
import dev.lodestone.judge.streams.internal.StreamsRunner;
import dev.lodestone.schemas.TopicSpec;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.kafka.ClusterConfig;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A judge as a service: runs {@link JudgeTopology} with Kafka Streams ({@code exactly_once_v2}) and
 * publishes its {@link JudgeCounters} to {@code metrics} every {@code metricsInterval}.
 *
 * <pre>{@code
 * PairJudge judge = GameOracle.forTask("perturbed-rps");
 * JudgeConfig config =
 *     JudgeConfig.of(StreamsAppConfig.defaults("judge-oracle-perturbed-rps", "a", stateDir));
 * try (JudgeService service = new JudgeService(config, cluster, judge)) {
 *   service.start(Duration.ofSeconds(60));   // returns once Kafka Streams is RUNNING
 *   ...
 * }
 * }</pre>
 *
 * Start checks that {@code samples}, {@code labels}, {@code dead-letters} and {@code metrics}
 * exist. A stream thread's uncaught exception (a judge returning a probability outside [0, 1], an
 * unreachable registry) stops the instance: {@link #state()} becomes FAILED and {@link #failure()}
 * holds the cause; under exactly-once nothing of the failing transaction is published.
 */
public final class JudgeService extends StreamsService {
  private final JudgeConfig config;
  private final PairJudge judge;
  private final JudgeCounters counters = new JudgeCounters();

  /** A judge service that reaches the registry at the cluster's registry URL. */
  public JudgeService(JudgeConfig config, ClusterConfig cluster, PairJudge judge) {
    this(config, cluster, judge, Objects.requireNonNull(cluster, "cluster").registryClient());
  }

  /**
   * A judge service with a given registry client.
   *
   * @param config the judge's configuration
   * @param cluster where to connect
   * @param judge the pair judge (thread-safe; not closed by the service)
   * @param registry the schema registry of the serdes
   */
  public JudgeService(
      JudgeConfig config, ClusterConfig cluster, PairJudge judge, SchemaRegistryClient registry) {
    super(
        JudgeCounters.COMPONENT
            + "-"
            + Objects.requireNonNull(config, "config").streams().instanceId());
    this.config = Objects.requireNonNull(config, "config");
    this.judge = Objects.requireNonNull(judge, "judge");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(registry, "registry");
    List<TopicSpec<?>> topics =
        List.of(Topics.SAMPLES, Topics.LABELS, Topics.DEAD_LETTERS, Topics.METRICS);
    runs(
        new StreamsRunner.Spec(
            name(),
            JudgeCounters.COMPONENT,
            config.streams(),
            cluster,
            registry,
            topics,
            counts -> {},
            () -> JudgeTopology.build(config, judge, registry, counters),
            counters::values,
            Map.of(
                "applicationId", config.streams().applicationId(),
                "judgeId", judge.judgeId(),
                "judgeKind", judge.kind().name())));
  }

  /** What this instance has counted since it started. */
  public JudgeCounters counters() {
    return counters;
  }

  /** The judge this service runs. */
  public PairJudge judge() {
    return judge;
  }
}
