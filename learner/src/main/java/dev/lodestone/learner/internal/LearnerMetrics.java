package dev.lodestone.learner.internal;

import dev.lodestone.learner.LearnerConfig;
import dev.lodestone.learner.LearnerCore;
import dev.lodestone.learner.LearnerStats;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.MetricsSender;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner's metric events on {@code metrics} (not transactional): every {@link
 * LearnerConfig#metricsInterval()}, and once at the end, the means of the step reports of the
 * interval ({@code loss/total}, {@code loss/policy}, {@code kl/magnet}, {@code kl/previous}, {@code
 * reward/mean}, {@code is/meanWeight}, {@code is/meanOpponentWeight}, {@code is/clippedFraction},
 * {@code tr/droppedFraction}) and the learner's progress ({@code staleness/versions}, {@code
 * learner/skippedSteps}, {@code learner/groupsPerSecond}, {@code learner/step}, {@code
 * learner/policyVersion}, {@code learner/magnetVersion}, {@code learner/consumedGroups}).
 */
public final class LearnerMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LearnerMetrics.class);

  private final LearnerConfig config;
  private final String name;
  private final Supplier<LearnerStats> stats;
  private final Supplier<Long> trainedGroups;
  private final KafkaProducer<String, byte[]> producer;
  private final MetricsSender sender;

  private long since;
  private long trainedAt;
  private int n;
  private int nMagnet;
  private double loss;
  private double policy;
  private double klMagnet;
  private double klPrevious;
  private double reward;
  private double weight;
  private double opponentWeight;
  private double clipped;
  private double trustRegion;

  /**
   * @param config the learner's configuration
   * @param name the service's name (the events' instance id)
   * @param component the events' component
   * @param registry the schema registry
   * @param stats the learner's progress
   * @param trainedGroups groups trained on so far
   */
  public LearnerMetrics(
      LearnerConfig config,
      String name,
      String component,
      SchemaRegistryClient registry,
      Supplier<LearnerStats> stats,
      Supplier<Long> trainedGroups) {
    this.config = config;
    this.name = name;
    this.stats = stats;
    this.trainedGroups = trainedGroups;
    Properties p = config.cluster().clientProperties(name + "-metrics");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.sender =
        new MetricsSender(
            component,
            name,
            producer,
            TopicSerdes.valueSerializer(Topics.METRICS, registry, SchemaRegistration.AUTO_REGISTER),
            Clock.systemUTC());
  }

  /** Starts a new interval now. */
  public void reset(long nowNanos) {
    since = nowNanos;
    trainedAt = trainedGroups.get();
    n = 0;
    nMagnet = 0;
    loss = policy = klMagnet = klPrevious = reward = weight = opponentWeight = clipped = 0;
    trustRegion = 0;
  }

  /** Adds a step's report to the interval (skipped steps are not averaged). */
  public void add(LearnerCore.StepReport r) {
    if (!r.applied()) {
      return;
    }
    n++;
    loss += r.loss();
    policy += r.policy();
    klPrevious += r.klPrevious();
    reward += r.rewardMean();
    weight += r.meanWeight();
    opponentWeight += r.meanOpponentWeight();
    clipped += r.clippedFraction();
    trustRegion += r.trustRegionFraction();
    if (!Double.isNaN(r.klMagnet())) {
      nMagnet++;
      klMagnet += r.klMagnet();
    }
  }

  /** Publishes the interval's event when the interval is over, or now when {@code last}. */
  public void maybePublish(boolean last) {
    long now = System.nanoTime();
    if (!last && now - since < config.metricsInterval().toNanos()) {
      return;
    }
    double seconds = Math.max(now - since, 1) / 1e9;
    LearnerStats s = stats.get();
    double groupsPerSecond = (trainedGroups.get() - trainedAt) / seconds;
    Map<String, Double> v = new LinkedHashMap<>();
    if (n > 0) {
      v.put("loss/total", loss / n);
      v.put("loss/policy", policy / n);
      if (nMagnet > 0) {
        v.put("kl/magnet", klMagnet / nMagnet);
      }
      v.put("kl/previous", klPrevious / n);
      v.put("reward/mean", reward / n);
      v.put("is/meanWeight", weight / n);
      v.put("is/meanOpponentWeight", opponentWeight / n);
      v.put("is/clippedFraction", clipped / n);
      v.put("tr/droppedFraction", trustRegion / n);
    }
    v.put("staleness/versions", s.meanStalenessVersions());
    v.put("learner/skippedSteps", (double) s.skippedSteps());
    v.put("learner/groupsPerSecond", groupsPerSecond);
    v.put("learner/step", (double) s.step());
    v.put("learner/policyVersion", (double) s.policyVersion());
    v.put("learner/magnetVersion", (double) s.magnetVersion());
    v.put("learner/consumedGroups", (double) s.consumedGroups());
    sender.send(
        s.step(),
        s.policyVersion(),
        v,
        Map.of(
            "modelId", config.modelId(),
            "algorithm", config.hyperparameters().algorithm().id(),
            "seed", Long.toString(config.hyperparameters().seed())));
    LOG.info(
        "{}: step {}, version {}, magnet {}, {} groups consumed, loss {}, {} groups/s",
        name,
        s.step(),
        s.policyVersion(),
        s.magnetVersion(),
        s.consumedGroups(),
        n > 0 ? String.format("%.4f", loss / n) : "-",
        String.format("%.1f", groupsPerSecond));
    reset(now);
  }

  @Override
  public void close() {
    producer.close();
  }
}
