package dev.lodestone.judge.eval;

import ai.djl.Device;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.PolicyModel;
import dev.lodestone.policy.WeightsFormatException;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceThread;
import dev.lodestone.service.feed.PolicyFeed;
import dev.lodestone.service.feed.PolicyFeedConfig;
import dev.lodestone.service.feed.PolicySnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluator (docs/design.md, "Modules and services"): follows the {@code policy} topic ({@link
 * PolicyFeed}, read_committed) and, for each complete POLICY version (the newest when several are
 * waiting, and at most once per {@link EvaluatorConfig#minInterval()}), computes its exact {@link
 * Evaluation} ({@link PolicyEvaluation}) and publishes it to {@code metrics} as a {@link
 * MetricEvent}: key and component {@code evaluator}, the version's step and number, values {@code
 * eval/exploitability}, {@code eval/winRateVsInitial}, {@code eval/invalidMass} and {@code
 * eval/prob/<strategy>}, tags {@code modelId}, {@code game} and {@code referenceVersion} ({@code
 * given} for given weights).
 *
 * <p>The reference policy's distribution is computed once: from the given weights at start, or from
 * the first complete POLICY version the feed reads (a warning is logged when that is not version
 * 0). Versions wait until the reference is known.
 *
 * <p>Lifecycle: {@link #start(Duration)} returns once the evaluator follows the topic (RUNNING),
 * not after a first evaluation; it fails when the topic is missing, the cluster does not answer or
 * given reference weights cannot be loaded. A version whose weights cannot be loaded is skipped and
 * logged; a game whose strategies the model cannot score (a byte outside its vocabulary, too long
 * for its context) fails the evaluator.
 */
public final class Evaluator extends ServiceThread {
  private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);

  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "evaluator";

  private static final Duration POLL = Duration.ofMillis(200);

  private final EvaluatorConfig config;
  private final Clock clock = Clock.systemUTC();
  private final AtomicReference<VersionEvaluation> latest = new AtomicReference<>();
  private volatile long evaluations;
  private volatile long badVersions;

  /** An evaluator; nothing starts before {@link #start(Duration)}. */
  public Evaluator(EvaluatorConfig config) {
    super(Objects.requireNonNull(config, "config").instanceId());
    this.config = config;
  }

  /** The configuration. */
  public EvaluatorConfig config() {
    return config;
  }

  /** The newest evaluation published, if any. */
  public Optional<VersionEvaluation> latest() {
    return Optional.ofNullable(latest.get());
  }

  /** How many versions were evaluated and published. */
  public long evaluations() {
    return evaluations;
  }

  /** Versions whose weights could not be loaded. */
  public long badVersions() {
    return badVersions;
  }

  @Override
  protected String summary() {
    return "after " + evaluations + " evaluations";
  }

  @Override
  protected void work() {
    KafkaProducer<String, byte[]> producer = own(producer());
    PolicyFeed feed =
        own(
            PolicyFeed.open(
                new PolicyFeedConfig(
                    config.cluster(),
                    config.modelId(),
                    COMPONENT,
                    config.instanceId(),
                    config.reference() instanceof ReferencePolicy.FirstVersion)));
    onStop(feed::wakeup);
    if (stopRequested()) {
      return;
    }
    Device device = Engines.device(config.device());
    AvroSerializer<MetricEvent> metrics =
        TopicSerdes.valueSerializer(
            Topics.METRICS, config.cluster().registryClient(), SchemaRegistration.AUTO_REGISTER);
    feed.assign(startTimeLeft());
    Reference reference = null;
    if (config.reference() instanceof ReferencePolicy.Weights given) {
      reference = reference(given.blob(), device, -1, "the given reference weights");
    }
    if (!markRunning()) {
      return;
    }
    LOG.info(
        "{} running: model {}, game {}, reference {}",
        config.instanceId(),
        config.modelId(),
        config.game().name(),
        reference == null ? "the first version on the topic" : "given weights");
    loop(feed, device, metrics, producer, reference);
  }

  /** The reference distribution and its version (-1: given weights). */
  private record Reference(StrategyDistribution distribution, long version) {}

  private Reference reference(byte[] blob, Device device, long version, String what) {
    try (PolicyModel model = PolicyModel.fromBytes(blob, device)) {
      StrategyDistribution d = PolicyEvaluation.distribution(model, config.game(), config.prompt());
      LOG.info("{}: reference policy is {}: {}", config.instanceId(), what, d);
      return new Reference(d, version);
    } catch (WeightsFormatException e) {
      throw new ServiceException(
          config.instanceId() + ": cannot load " + what + ": " + e.getMessage(), e);
    }
  }

  private void loop(
      PolicyFeed feed,
      Device device,
      AvroSerializer<MetricEvent> metrics,
      KafkaProducer<String, byte[]> producer,
      Reference given) {
    Reference reference = given;
    PolicySnapshot waiting = null;
    long lastEvaluation = Long.MIN_VALUE;
    while (!stopRequested()) {
      Optional<PolicySnapshot> next = feed.poll(POLL);
      if (next.isPresent()) {
        if (waiting != null) {
          LOG.debug("{}: version {} skipped", config.instanceId(), waiting.version());
        }
        waiting = next.get();
      }
      if (reference == null && feed.firstPolicy().isPresent()) {
        PolicySnapshot first = feed.firstPolicy().get();
        if (first.version() != 0) {
          LOG.warn(
              "{}: version 0 is no longer on the topic; the reference policy is version {}",
              config.instanceId(),
              first.version());
        }
        reference =
            reference(first.weights(), device, first.version(), "version " + first.version());
      }
      boolean due =
          lastEvaluation == Long.MIN_VALUE
              || System.nanoTime() - lastEvaluation >= config.minInterval().toNanos();
      if (waiting != null && reference != null && due) {
        evaluate(waiting, reference, device, metrics, producer);
        waiting = null;
        lastEvaluation = System.nanoTime();
      }
    }
  }

  private void evaluate(
      PolicySnapshot snapshot,
      Reference reference,
      Device device,
      AvroSerializer<MetricEvent> metrics,
      KafkaProducer<String, byte[]> producer) {
    long t0 = System.nanoTime();
    Evaluation evaluation;
    try (PolicyModel model = PolicyModel.fromBytes(snapshot.weights(), device)) {
      evaluation =
          PolicyEvaluation.evaluate(
              model, config.game(), config.prompt(), reference.distribution());
    } catch (WeightsFormatException e) {
      badVersions++;
      LOG.error(
          "{}: cannot load {}, skipping it: {}",
          config.instanceId(),
          snapshot.header().describe(),
          e.getMessage());
      return;
    }
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("modelId", config.modelId());
    tags.put("game", config.game().name());
    tags.put(
        "referenceVersion", reference.version() < 0 ? "given" : Long.toString(reference.version()));
    MetricEvent event =
        MetricEvent.newBuilder()
            .setComponent(COMPONENT)
            .setInstanceId(config.instanceId())
            .setStep(snapshot.header().step())
            .setPolicyVersion(snapshot.version())
            .setValues(evaluation.metricValues())
            .setTags(tags)
            .setTime(clock.instant())
            .build();
    try {
      producer
          .send(new ProducerRecord<>(Topics.METRICS.name(), COMPONENT, metrics.encode(event)))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceException(config.instanceId() + ": interrupted while publishing", e);
    } catch (ExecutionException e) {
      throw new ServiceException(
          config.instanceId() + ": could not publish to " + Topics.METRICS.name(), e.getCause());
    }
    latest.set(new VersionEvaluation(snapshot.header(), evaluation, reference.version()));
    evaluations++;
    LOG.info(
        "{}: version {} (step {}): exploitability {}, win rate vs reference {}, invalid mass {}"
            + " ({} ms)",
        config.instanceId(),
        snapshot.version(),
        snapshot.header().step(),
        String.format("%.4f", evaluation.exploitability()),
        String.format("%.4f", evaluation.winRateVsReference()),
        String.format("%.4f", evaluation.invalidMass()),
        (System.nanoTime() - t0) / 1_000_000);
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = config.cluster().clientProperties(config.instanceId() + "-producer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    return new KafkaProducer<>(
        p, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
  }
}
