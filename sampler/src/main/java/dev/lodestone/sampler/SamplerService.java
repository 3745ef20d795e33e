package dev.lodestone.sampler;

import ai.djl.Device;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.SampledResponse;
import dev.lodestone.sampler.internal.BackPressure;
import dev.lodestone.sampler.internal.DroppedGroups;
import dev.lodestone.sampler.internal.FixedPrompts;
import dev.lodestone.sampler.internal.InFlightGauge;
import dev.lodestone.sampler.internal.ModelGroups;
import dev.lodestone.sampler.internal.PromptFeed;
import dev.lodestone.sampler.internal.PromptItem;
import dev.lodestone.sampler.internal.PromptTokenizer;
import dev.lodestone.sampler.internal.SampleGroups;
import dev.lodestone.sampler.internal.SamplerMetrics;
import dev.lodestone.sampler.internal.TopicPrompts;
import dev.lodestone.sampler.internal.VersionSwap;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceState;
import dev.lodestone.service.ServiceThread;
import dev.lodestone.service.TopicPartitions;
import dev.lodestone.service.feed.PolicyFeedConfig;
import dev.lodestone.service.feed.PolicyFollower;
import dev.lodestone.service.feed.PolicyHeader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sampler (docs/design.md, "Modules and services"): follows the newest POLICY version of a
 * model, draws groups of G responses to its prompts, and publishes them to {@code samples} as
 * {@link SampleGroup}s with an idempotent, non-transactional producer ({@code acks=all}).
 *
 * <h2>Lifecycle</h2>
 *
 * {@link #start(Duration)} connects (checks that {@code samples} and {@code policy} exist, starts
 * following {@code policy}) and returns once the sampler is {@link ServiceState#RUNNING}. RUNNING
 * does not mean a model is loaded: a running sampler waits, idle, for the first complete POLICY
 * version ({@link #policyVersion()} is empty until then), so samplers can be started before the
 * learner publishes version 0. {@code start} fails with a {@link ServiceException} when a topic is
 * missing or the cluster does not answer within the timeout; it never waits for a policy. {@link
 * #close()} stops after the batch in progress; with {@link SamplerConfig#maxGroups()} the sampler
 * stops by itself (STOPPED) once that many groups are published.
 *
 * <h2>The loop</h2>
 *
 * <ol>
 *   <li>Swap in the newest loaded version, if one is waiting. Versions are read and loaded ({@code
 *       PolicyModel.fromBytes}, SHA-256 verified by the feed) on the follower's thread, so the
 *       sampling thread only swaps references between batches; the old model is closed. A version
 *       whose weights cannot be loaded is skipped and counted.
 *   <li>Back-pressure ({@link BackPressure}): with {@code producedGroups} the groups of this model
 *       in {@code samples} since the offsets where the model's version 0 found each partition
 *       ({@code samplesBaseOffsets}, {@link ModelGroups}; this sampler's own groups count at once)
 *       less the model's groups the label join dead-lettered since then ({@link DroppedGroups}),
 *       and {@code consumedGroups}, {@code groupsPerVersion} from the newest POLICY version, the
 *       sampler pauses while {@code producedGroups - consumedGroups >= maxStaleness *
 *       groupsPerVersion}. Paused, it waits on the next policy version (no busy spinning) and says
 *       so in its metrics. A batch is never larger than the remaining allowance, so one sampler
 *       alone never passes the bound; concurrent samplers may pass it by the batches they draw at
 *       the same time, plus what the others published that the counting thread has not read yet. A
 *       version without {@code samplesBaseOffsets} (an older learner) leaves the earlier count: the
 *       sum of the end offsets of {@code samples} (reused for at most {@link
 *       SamplerConfig#offsetsRefresh()}, plus this sampler's own groups since) less {@code
 *       samplesBase}, less every sample record dead-lettered since {@code deadLettersBase}.
 *   <li>Draw a batch of up to {@code groupsPerBatch} groups in one batched sampling call, publish
 *       them (key: the group id {@code samplerId-sequence}, see {@link GroupIds}; the first
 *       sequence number is the sum of the end offsets of {@code samples} when the sampler started,
 *       so that a sampler restarted with its id never repeats one), flush, and commit the prompts'
 *       positions in topic mode.
 * </ol>
 *
 * <p>Each group is stamped with the policy version that drew it and the magnet version current when
 * that policy version arrived: the newest MAGNET version read up to and with it (the learner
 * publishes a magnet reset in the same transaction as the policy version), or the policy version's
 * own magnet version if that is newer (or no MAGNET version was published).
 *
 * <h2>Metrics</h2>
 *
 * Every {@link SamplerConfig#metricsInterval()}, and once when stopping, a {@link MetricEvent} to
 * {@code metrics} (component {@code sampler}, instance the sampler id): {@code
 * sampler/groupsPublished}, {@code sampler/groupsPerSecond} and {@code sampler/tokensPerSecond}
 * (over the interval), {@code sampler/paused} (0/1), {@code sampler/pausedSeconds}, {@code
 * sampler/inFlight}, {@code sampler/inFlightBound} (-1: unbounded), {@code sampler/policyVersion}
 * (-1: none yet), {@code sampler/swaps}, {@code sampler/badVersions}, {@code
 * sampler/promptsSkipped}, {@code sampler/promptsRejected}.
 *
 * <p>Several samplers share the work without coordination: each has its own id and publishes its
 * own groups; in topic mode they share the prompts through their consumer group.
 */
public final class SamplerService extends ServiceThread {
  private static final Logger LOG = LoggerFactory.getLogger(SamplerService.class);

  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "sampler";

  private static final Duration IDLE_WAIT = Duration.ofMillis(500);
  private static final Duration PROMPT_WAIT = Duration.ofMillis(200);

  /** How often a sampler waiting for the cluster to take its groups checks for a stop. */
  private static final Duration OUTAGE_CHECK = Duration.ofSeconds(1);

  /** A wait for acknowledgements this long counts as the cluster not answering (logged once). */
  private static final Duration SLOW_ACK = Duration.ofSeconds(10);

  /** How long closing waits for the producer to deliver what it holds. */
  private static final Duration PRODUCER_CLOSE = Duration.ofSeconds(10);

  private final SamplerConfig config;
  private final Clock clock = Clock.systemUTC();

  // Set by the sampling thread, read by others.
  private volatile VersionSwap swap;
  private volatile long groupsPublished;
  private volatile long tokensGenerated;
  private volatile boolean paused;
  private volatile long pausedNanos;
  private volatile long pausedSince;
  private volatile long inFlight;

  /** When the current outage began (System.nanoTime), 0 while the cluster answers. */
  private long unreachableSince;

  private volatile long inFlightBound = -1;
  private volatile long policyVersion = -1;
  private volatile long policyStep = -1;
  private volatile long magnetStamp = -1;
  private volatile long swaps;
  private volatile long promptsSkipped;
  private volatile long promptsRejected;

  // The sampling thread's own state.
  private VersionSwap.Loaded current;
  private long sequence;

  /** A sampler; nothing starts before {@link #start(Duration)}. */
  public SamplerService(SamplerConfig config) {
    super(Objects.requireNonNull(config, "config").samplerId());
    this.config = config;
  }

  /** The configuration. */
  public SamplerConfig config() {
    return config;
  }

  /** The POLICY version the sampler draws from; empty before the first one is loaded. */
  public OptionalLong policyVersion() {
    long v = policyVersion;
    return v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** A snapshot of the counters and state. */
  public SamplerStats stats() {
    long pausedTotal = pausedNanos;
    if (paused) {
      pausedTotal += System.nanoTime() - pausedSince;
    }
    return new SamplerStats(
        config.samplerId(),
        groupsPublished,
        tokensGenerated,
        paused,
        pausedTotal / 1e9,
        inFlight,
        inFlightBound,
        policyVersion,
        magnetStamp,
        swaps,
        swap == null ? 0 : swap.badVersions(),
        promptsSkipped,
        promptsRejected);
  }

  @Override
  protected String summary() {
    return "after " + groupsPublished + " groups";
  }

  // ---------------------------------------------------------------------------------------------
  // The sampling thread.

  @Override
  protected void work() throws InterruptedException {
    Device device = Engines.device(config.device());
    swap = new VersionSwap(name(), device);
    onStop(swap::signal);
    SchemaRegistryClient registry = config.cluster().registryClient();
    AvroSerializer<SampleGroup> samples =
        TopicSerdes.valueSerializer(Topics.SAMPLES, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<MetricEvent> metrics =
        TopicSerdes.valueSerializer(Topics.METRICS, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<DeadLetter> letters =
        TopicSerdes.valueSerializer(
            Topics.DEAD_LETTERS, registry, SchemaRegistration.AUTO_REGISTER);
    own(this::releaseAtEnd); // closed last: after the clients and the follower
    KafkaProducer<String, byte[]> producer = producer();
    own(() -> producer.close(PRODUCER_CLOSE)); // not forever: the cluster may be down
    KafkaConsumer<byte[], byte[]> offsets = own(offsetsConsumer());
    onStop(offsets::wakeup);
    List<TopicPartition> samplesPartitions =
        TopicPartitions.of(name(), offsets, Topics.SAMPLES.name(), startTimeLeft());
    TopicPartitions.of(name(), offsets, Topics.POLICY.name(), startTimeLeft());
    offsets.assign(samplesPartitions); // never polled: it only reads end offsets
    // Group ids go on from the end of samples: a sampler restarted with the same id never repeats
    // one of its own (its earlier groups are all below that end), which the label join would drop.
    sequence = sum(offsets.endOffsets(samplesPartitions, startTimeLeft()));
    long firstSequence = sequence;
    KafkaConsumer<byte[], byte[]> deadLetters = countingConsumer("-dead-letters");
    List<TopicPartition> deadLetterPartitions;
    try {
      deadLetterPartitions =
          TopicPartitions.of(name(), deadLetters, Topics.DEAD_LETTERS.name(), startTimeLeft());
    } catch (RuntimeException e) {
      deadLetters.close();
      throw e;
    }
    DroppedGroups dropped =
        own(
            new DroppedGroups(
                config.samplerId(),
                deadLetters,
                TopicSerdes.valueDeserializer(Topics.DEAD_LETTERS, registry),
                TopicSerdes.valueDeserializer(Topics.SAMPLES, registry),
                config.modelId(),
                deadLetterPartitions));
    ModelGroups modelGroups =
        own(
            new ModelGroups(
                config.samplerId(),
                countingConsumer("-samples"),
                TopicSerdes.valueDeserializer(Topics.SAMPLES, registry),
                config.modelId(),
                config.samplerId(),
                firstSequence,
                samplesPartitions));

    PromptFeed prompts = own(prompts(registry, producer, letters));
    onStop(prompts::wakeup);
    if (stopRequested()) {
      return;
    }
    PolicyFollower follower =
        own(
            new PolicyFollower(
                new PolicyFeedConfig(
                    config.cluster(), config.modelId(), COMPONENT, config.samplerId(), false),
                swap));
    follower.start(startTimeLeft()); // closed first at the end: no more loads after that
    if (!markRunning()) {
      return;
    }
    LOG.info(
        "{} running: model {}, task {}, G {}, {} groups per batch, maxStaleness {}, device {}",
        config.samplerId(),
        config.modelId(),
        config.task(),
        config.groupSize(),
        config.groupsPerBatch(),
        config.maxStaleness(),
        device);
    InFlightGauge gauge =
        new InFlightGauge(
            () -> sum(offsets.endOffsets(samplesPartitions)),
            System::nanoTime,
            config.offsetsRefresh().toNanos());
    loop(follower, gauge, modelGroups, dropped, prompts, producer, samples, metrics);
  }

  /** At the very end: the loaded models are closed and the sampler no longer counts as paused. */
  private void releaseAtEnd() {
    closeModels();
    setPaused(false);
  }

  private void loop(
      PolicyFollower follower,
      InFlightGauge gauge,
      ModelGroups modelGroups,
      DroppedGroups dropped,
      PromptFeed prompts,
      KafkaProducer<String, byte[]> producer,
      AvroSerializer<SampleGroup> samples,
      AvroSerializer<MetricEvent> metrics)
      throws InterruptedException {
    SplittableRandom rng = new SplittableRandom(mixSeed(config.seed(), config.samplerId()));
    SamplerMetrics window =
        new SamplerMetrics(
            COMPONENT,
            config.samplerId(),
            Map.of("modelId", config.modelId(), "task", config.task()),
            config.metricsInterval(),
            this::stats,
            () -> policyStep,
            producer,
            metrics,
            clock);
    long limit = config.maxGroups().orElse(Long.MAX_VALUE);
    try {
      while (!stopRequested()) {
        if (follower.state() == ServiceState.FAILED) {
          throw new ServiceException(
              config.samplerId() + ": following the policy topic failed",
              follower.failure().orElse(null));
        }
        // The newest header is read with the pending model, so that a version's counts never
        // let a batch be drawn by an older model that is still waiting to be swapped out.
        PolicyHeader header = swapIfPending();
        window.maybePublish(false);
        if (groupsPublished >= limit) {
          LOG.info("{} published its {} groups", config.samplerId(), limit);
          return;
        }
        if (current == null) {
          swap.awaitChange(IDLE_WAIT, this::stopRequested);
          continue;
        }
        long produced;
        try {
          // The end offsets of samples are read in either case: a paused sampler, which sends
          // nothing, learns from them whether the cluster answers.
          long endOffsets = gauge.produced();
          // Only the model's records since its version 0 are its groups: a log from before (an
          // older model's, a recorded one) and other models on the same topics do not hold its
          // samplers back. A learner that did not record where each partition stood leaves the
          // older count: every record since then.
          if (modelGroups.covers(header.samplesBaseOffsets())) {
            produced =
                modelGroups.produced(header.samplesBaseOffsets(), groupsPublished)
                    - dropped.count(header.deadLettersBase(), true);
          } else {
            produced =
                endOffsets - header.samplesBase() - dropped.count(header.deadLettersBase(), false);
          }
          reachable();
        } catch (TimeoutException e) {
          unreachable("reading the end offsets of " + Topics.SAMPLES.name(), e);
          swap.awaitChange(IDLE_WAIT, this::stopRequested);
          continue;
        }
        long bound = BackPressure.bound(config.maxStaleness(), header.groupsPerVersion());
        inFlight = BackPressure.inFlight(produced, header.consumedGroups());
        inFlightBound = bound == BackPressure.UNBOUNDED ? -1 : bound;
        long allowance =
            BackPressure.allowance(
                produced,
                header.consumedGroups(),
                config.maxStaleness(),
                header.groupsPerVersion());
        if (allowance <= 0) {
          setPaused(true);
          publishVersionStats();
          prompts.keepAlive();
          swap.awaitChange(IDLE_WAIT, this::stopRequested);
          continue;
        }
        setPaused(false);
        publishVersionStats();
        int n =
            (int) Math.min(config.groupsPerBatch(), Math.min(allowance, limit - groupsPublished));
        PromptTokenizer tokenizer =
            new PromptTokenizer(current.model().config(), config.sampling().maxNewTokens());
        List<PromptItem> items = prompts.next(n, PROMPT_WAIT, tokenizer);
        promptsSkipped = prompts.skipped();
        promptsRejected = prompts.rejected();
        if (items.isEmpty()) {
          continue;
        }
        int published = sampleAndPublish(items, rng, producer, samples);
        gauge.sent(published);
        prompts.published();
      }
    } finally {
      window.maybePublish(true);
    }
  }

  /** Swaps in the pending model, if any; returns the newest header seen with it. */
  private PolicyHeader swapIfPending() {
    VersionSwap.Taken taken = swap.takePending();
    VersionSwap.Loaded next = taken.loaded();
    PolicyHeader header = taken.header();
    if (next != null) {
      VersionSwap.Loaded old = current;
      current = next;
      if (old != null) {
        old.model().close();
        swaps++;
      }
      LOG.info(
          "{} samples from {} (loaded in {} ms){}",
          config.samplerId(),
          next.header().describe(),
          next.loadMillis(),
          old == null ? "" : ", replacing version " + old.header().version());
    }
    return header;
  }

  /**
   * Shows the current version in the stats, after the back-pressure state computed with it: a
   * reader that sees the new version sees that state too (volatile write order).
   */
  private void publishVersionStats() {
    policyStep = current.header().step();
    magnetStamp = current.magnet();
    policyVersion = current.header().version();
  }

  private int sampleAndPublish(
      List<PromptItem> items,
      SplittableRandom rng,
      KafkaProducer<String, byte[]> producer,
      AvroSerializer<SampleGroup> samples)
      throws InterruptedException {
    List<int[]> tokens = new ArrayList<>(items.size());
    for (PromptItem item : items) {
      tokens.add(item.tokens());
    }
    List<List<SampledResponse>> drawn =
        current.model().sample(tokens, config.groupSize(), config.sampling(), rng);
    Instant now = clock.instant();
    AtomicReference<Exception> sendError = new AtomicReference<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>(items.size());
    long tokenCount = 0;
    for (int i = 0; i < items.size(); i++) {
      String groupId = GroupIds.of(config.samplerId(), sequence++);
      SampleGroup group =
          SampleGroups.of(
              config.modelId(),
              groupId,
              items.get(i),
              drawn.get(i),
              current.header().version(),
              current.magnet(),
              config.samplerId(),
              now);
      for (SampledResponse r : drawn.get(i)) {
        tokenCount += r.tokenIds().length;
      }
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(Topics.SAMPLES.name(), groupId, samples.encode(group));
      while (true) {
        try {
          sent.add(
              producer.send(
                  record,
                  (metadata, error) -> {
                    if (error != null) {
                      sendError.compareAndSet(null, error);
                    }
                  }));
          break;
        } catch (TimeoutException e) { // no metadata, or the buffer full: nothing was sent
          if (stopRequested()) {
            return 0;
          }
          unreachable("publishing a sample group", e);
        }
      }
    }
    // The producer retries until the cluster takes the groups (idempotent: no duplicates, in
    // order), however long an outage lasts; the wait ends early only when the sampler stops.
    long waitingSince = System.nanoTime();
    for (Future<RecordMetadata> f : sent) {
      while (true) {
        try {
          f.get(OUTAGE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
          break;
        } catch (java.util.concurrent.TimeoutException e) {
          if (stopRequested()) {
            return 0; // not published: closing the producer drops what it still holds
          }
          if (System.nanoTime() - waitingSince >= SLOW_ACK.toNanos()) {
            unreachable(
                "waiting "
                    + SLOW_ACK.toSeconds()
                    + " s for the cluster to take "
                    + items.size()
                    + " sample groups",
                e);
          }
        } catch (ExecutionException e) {
          // below: sendError holds the first failure
          break;
        }
      }
    }
    if (sendError.get() != null) {
      throw new ServiceException(
          config.samplerId() + ": could not publish to " + Topics.SAMPLES.name(), sendError.get());
    }
    reachable();
    groupsPublished += items.size();
    tokensGenerated += tokenCount;
    return items.size();
  }

  /** Notes that the cluster does not answer: logged once per outage. */
  private void unreachable(String doing, Exception e) {
    if (unreachableSince == 0) {
      unreachableSince = System.nanoTime();
      LOG.warn(
          "{}: the cluster does not answer ({}: {}); waiting for it, nothing is lost",
          config.samplerId(),
          doing,
          e.toString());
    }
  }

  /** Notes that the cluster answers: logged once at the end of an outage. */
  private void reachable() {
    if (unreachableSince != 0) {
      LOG.info(
          "{}: the cluster answers again, after {} s",
          config.samplerId(),
          (System.nanoTime() - unreachableSince) / 1_000_000_000L);
      unreachableSince = 0;
    }
  }

  private void setPaused(boolean now) {
    if (now == paused) {
      return;
    }
    long t = System.nanoTime();
    if (now) {
      pausedSince = t;
      LOG.debug(
          "{} paused: {} groups in flight, bound {}", config.samplerId(), inFlight, inFlightBound);
    } else {
      pausedNanos += t - pausedSince;
      LOG.debug("{} resumed", config.samplerId());
    }
    paused = now;
  }

  private void closeModels() {
    if (swap != null) {
      swap.closePending();
    }
    if (current != null) {
      current.model().close();
      current = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  private KafkaProducer<String, byte[]> producer() {
    Properties p = config.cluster().clientProperties(config.samplerId() + "-producer");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    // Never give a group up: a broker outage of any length only delays it (the default, two
    // minutes, made the sampler fail on a longer outage).
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<byte[], byte[]> offsetsConsumer() {
    Properties p = config.cluster().clientProperties(config.samplerId() + "-offsets");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * A consumer of the counts' own ({@link DroppedGroups}, {@link ModelGroups}), read_committed, in
   * no group.
   */
  private KafkaConsumer<byte[], byte[]> countingConsumer(String suffix) {
    Properties p = config.cluster().clientProperties(config.samplerId() + suffix);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private PromptFeed prompts(
      SchemaRegistryClient registry,
      KafkaProducer<String, byte[]> producer,
      AvroSerializer<DeadLetter> letters) {
    if (config.prompts() instanceof PromptSource.Fixed fixed) {
      return new FixedPrompts(fixed.texts(), config.task());
    }
    PromptSource.Topic topic = (PromptSource.Topic) config.prompts();
    Properties p = config.cluster().clientProperties(config.samplerId() + "-prompts");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, topic.consumerGroup());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(config.groupsPerBatch(), 16));
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    return new TopicPrompts(
        consumer,
        TopicSerdes.valueDeserializer(Topics.PROMPTS, registry),
        config.task(),
        letter ->
            producer.send(
                new ProducerRecord<>(
                    Topics.DEAD_LETTERS.name(), letter.getSourceTopic(), letters.encode(letter)),
                (metadata, error) -> {
                  if (error != null) {
                    LOG.error(
                        "{}: could not send a dead letter: {}",
                        config.samplerId(),
                        error.toString());
                  }
                }),
        COMPONENT,
        clock);
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    long s = 0;
    for (long o : offsets.values()) {
      s += o;
    }
    return s;
  }

  /** The sampling seed: the configured seed mixed with a hash of the sampler id. */
  static long mixSeed(long seed, String samplerId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(samplerId.getBytes(StandardCharsets.UTF_8));
      long x = 0;
      for (int i = 0; i < 8; i++) {
        x = (x << 8) | (h[i] & 0xFF);
      }
      return seed ^ x;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
