package dev.lodestone.learner;

import ai.djl.Device;
import dev.lodestone.learner.internal.Checkpoint;
import dev.lodestone.learner.internal.CheckpointStore;
import dev.lodestone.learner.internal.LearnerMetrics;
import dev.lodestone.learner.internal.VersionPublisher;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.LearnerState;
import dev.lodestone.schemas.chunk.Sha256;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceThread;
import dev.lodestone.service.TopicPartitions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner service (docs/design.md, docs/pipeline.md): a transactional consume-process-produce
 * loop over {@code labeled} that applies MPO updates ({@link LearnerCore}) and publishes policy and
 * magnet versions.
 *
 * <h2>Start</h2>
 *
 * {@link #start(Duration)} checks that the topics exist, reads {@code learner-state} ({@code
 * read_committed}) to its end and assembles the newest complete checkpoint of the model (SHA-256
 * verified). With one, the learner restores theta, pi_t, rho, Adam and its counters and seeks
 * {@code labeled} to the checkpoint's offset: the steps after the last publication of a crashed
 * learner are redone, bit-identically (same log, same configuration). Without one it needs the
 * initial weights: it publishes them as POLICY version 0 and MAGNET version 0 with a checkpoint in
 * one transaction, and reads {@code labeled} from the earliest offset, {@link
 * LearnerConfig#startOffset()} or {@link LearnerConfig#startTime()}. The producer's transactional
 * id is one per model, so a new learner fences an old one of the same model.
 *
 * <h2>The loop</h2>
 *
 * Records of {@code labeled} are taken one by one, in order: a valid group joins the batch, a bad
 * one (undecodable, a probability NaN or outside [0, 1], token ids outside the vocabulary,
 * mismatched lengths, ...) becomes a dead letter, sent in the next publication's transaction. Every
 * {@code batchGroups} groups the core takes one step, its learning rate cooled down towards the end
 * of a budget ({@link LearnerConfig#maxSteps()} or {@link LearnerConfig#maxDuration()}, see {@link
 * LearnerHyperparameters#cooldown()}); every {@code publishEvery} steps (and at the end of the
 * budget) one transaction holds the POLICY version's chunks (key {@code modelId/POLICY/i}), the
 * MAGNET version's chunks on a magnet reset ({@code modelId/MAGNET/i}), the checkpoint's chunks
 * ({@code modelId/i} on {@code learner-state}), the dead letters, and the consumed {@code labeled}
 * position ({@code sendOffsetsToTransaction}, consumer group {@link LearnerConfig#groupId()}).
 * Publications happen right after a step, so a checkpoint always sits at a batch boundary. {@code
 * consumedGroups} counts every labelled record consumed, trained on or dead-lettered. {@link
 * #close()} stops without publishing: steps since the last publication are lost, as in a crash, and
 * redone by the next learner.
 *
 * <h2>Metrics</h2>
 *
 * Every {@link LearnerConfig#metricsInterval()}, and once when stopping, a metric event to {@code
 * metrics} (component {@code learner}; not transactional), as {@link LearnerMetrics} lists.
 */
public final class Learner extends ServiceThread {
  private static final Logger LOG = LoggerFactory.getLogger(Learner.class);

  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "learner";

  private static final Duration POLL = Duration.ofMillis(200);

  private final LearnerConfig config;
  private final LearnerHyperparameters hp;
  private final byte[] initialWeights;
  private final Clock clock = Clock.systemUTC();
  private final TopicPartition labeled;

  // Progress, written by the learner thread, read by others.
  private volatile long step;
  private volatile long policyVersion = -1;
  private volatile long magnetVersion = -1;
  private volatile long consumedGroups;
  private volatile long skippedSteps;
  private volatile long stalenessSum;
  private volatile long stalenessCount;
  private volatile long trainedGroups;
  private volatile double lastLoss = Double.NaN;
  private volatile String policySha256;
  private volatile long runningSince;

  // The learner thread's own state.
  /** The {@code labeled} offset after the last record of the last step; -1 before the first. */
  private long steppedThrough = -1;

  /** The step budget of the schedule (0: none yet), as {@link LearnerState#getBudgetSteps()}. */
  private volatile long budgetSteps;

  /** The end offsets of samples, summed, when version 0 was published (back-pressure's base). */
  private long samplesBase;

  private long deadLettersBase;
  private List<Long> samplesBaseOffsets = List.of();

  /** The input offset the model's first step read from; -1 unknown. */
  private long inputFrom = -1;

  /** The input offset to stop at, exclusive; -1: none. */
  private long inputEnd = -1;

  private LearnerCore core;
  private KafkaConsumer<String, byte[]> consumer;
  private AvroDeserializer<LabeledGroup> labeledValues;
  private CheckpointStore checkpoints;
  private VersionPublisher publisher;
  private LearnerMetrics metrics;
  private final List<DeadLetter> letters = new ArrayList<>();

  /**
   * A learner; nothing starts before {@link #start(Duration)}.
   *
   * @param config the configuration
   * @param initialWeights the weights of version 0, used only when {@code learner-state} holds no
   *     checkpoint for the model; may be null, and then start fails with a clear message when no
   *     checkpoint exists
   */
  public Learner(LearnerConfig config, byte[] initialWeights) {
    super(COMPONENT + "-" + Objects.requireNonNull(config, "config").modelId());
    this.config = config;
    this.hp = config.hyperparameters();
    this.initialWeights = initialWeights == null ? null : initialWeights.clone();
    this.labeled = new TopicPartition(config.input().name(), 0);
  }

  /** The configuration. */
  public LearnerConfig config() {
    return config;
  }

  /** Adam steps applied so far (skipped steps not counted). */
  public long step() {
    return step;
  }

  /** The last published POLICY version, -1 before version 0. */
  public long policyVersion() {
    return policyVersion;
  }

  /** The last published MAGNET version, -1 before version 0. */
  public long magnetVersion() {
    return magnetVersion;
  }

  /** Labelled groups consumed in all (trained on or dead-lettered). */
  public long consumedGroups() {
    return consumedGroups;
  }

  /** A snapshot of the learner's progress. */
  public LearnerStats stats() {
    long since = runningSince;
    double seconds = since == 0 ? 0 : (System.nanoTime() - since) / 1e9;
    long count = stalenessCount;
    return new LearnerStats(
        step,
        policyVersion,
        magnetVersion,
        consumedGroups,
        skippedSteps,
        count == 0 ? 0 : (double) stalenessSum / count,
        seconds > 0 ? trainedGroups / seconds : 0,
        lastLoss,
        policySha256,
        budgetSteps);
  }

  /**
   * Stops the learner without publishing: the steps since the last publication are dropped and will
   * be redone by the next learner of this model. Idempotent.
   */
  @Override
  public void close() {
    super.close();
  }

  @Override
  protected String summary() {
    return "at step " + step + ", version " + policyVersion;
  }

  // ---------------------------------------------------------------------------------------------
  // The learner thread

  @Override
  protected void work() {
    Device device = Engines.device(config.device());
    SchemaRegistryClient registry = config.cluster().registryClient();
    consumer = own(consumer());
    KafkaConsumer<String, byte[]> c = consumer;
    onStop(c::wakeup);
    for (String topic :
        List.of(config.input().name(), Topics.POLICY.name(), Topics.LEARNER_STATE.name())) {
      TopicPartitions.of(name(), consumer, topic, timeLeft());
    }
    labeledValues = TopicSerdes.valueDeserializer(config.input(), registry);
    checkpoints = new CheckpointStore(config, name(), registry);
    onStop(checkpoints::wakeup);
    metrics =
        own(
            new LearnerMetrics(
                config, name(), COMPONENT, registry, this::stats, () -> trainedGroups));
    publisher = own(new VersionPublisher(config, name(), registry)); // fences an older learner
    Optional<Checkpoint> checkpoint = checkpoints.newest(this::stopRequested, this::timeLeft);
    if (stopRequested()) {
      return; // closed while starting: publish nothing
    }
    long position;
    if (checkpoint.isPresent()) {
      position = restore(checkpoint.get(), device);
    } else {
      if (initialWeights == null) {
        throw new ServiceException(
            name()
                + ": learner-state holds no checkpoint of model '"
                + config.modelId()
                + "' and no initial weights were given; give the weights of version 0 (for"
                + " example the warm-up model) to start a new model");
      }
      core = own(LearnerCore.initial(initialWeights, hp, device));
      core.injectFaults(config.faults());
      position = startPosition();
      inputFrom = position;
      inputEnd = config.endOffset().orElse(-1);
      samplesBaseOffsets = partitionEnds(Topics.SAMPLES.name());
      samplesBase = samplesBaseOffsets.stream().mapToLong(Long::longValue).sum();
      // Where the model's dead letters begin, summed over the partitions.
      deadLettersBase =
          partitionEnds(Topics.DEAD_LETTERS.name()).stream().mapToLong(Long::longValue).sum();
      budgetSteps = config.maxSteps();
      if (budgetSteps == 0 && inputEnd >= 0) {
        budgetSteps = Math.max(1, wholeBatches(position, inputEnd));
      }
      LOG.info(
          "{}: no checkpoint; publishing version 0 and reading labeled from offset {}",
          name(),
          position);
      publish(new LearnerCore.Publication(0, true, 0, 0), position);
    }
    consumer.assign(List.of(labeled));
    consumer.seek(labeled, position);
    if (!markRunning()) {
      return;
    }
    runningSince = System.nanoTime();
    metrics.reset(runningSince);
    LOG.info(
        "{} running: {}, step {}, version {}, device {}, input {} from {}{}, step budget {}",
        name(),
        hp.asMap(),
        step,
        policyVersion,
        device,
        labeled.topic(),
        position,
        inputEnd >= 0 ? " to " + inputEnd : "",
        budgetSteps == 0 ? "none yet" : budgetSteps);
    try {
      loop();
    } finally {
      metrics.maybePublish(true);
    }
  }

  private boolean maxStepsReached() {
    return budgetSteps > 0 && step >= budgetSteps;
  }

  private boolean maxDurationReached() {
    return !config.maxDuration().isZero()
        && System.nanoTime() - runningSince >= config.maxDuration().toNanos();
  }

  /** Whether the time limit fixes the step budget: no maxSteps, no end offset, a cooldown. */
  private boolean timeSetsBudget() {
    return !config.maxDuration().isZero()
        && config.maxSteps() == 0
        && inputEnd < 0
        && hp.cooldown() > 0;
  }

  /**
   * Whether the time limit ends the run at a step: unless the time limit is what fixes the step
   * budget, when the budget's last step ends it instead.
   */
  private boolean timeStopsAtStep() {
    return !timeSetsBudget() && maxDurationReached();
  }

  /**
   * Whether a learner with nothing to read stops: past the time limit, or, when the limit fixes the
   * step budget, past twice the limit (input that stopped arriving before the budget's end).
   */
  private boolean starvedPastTimeLimit() {
    if (config.maxDuration().isZero()) {
      return false;
    }
    long limit = config.maxDuration().toNanos() * (timeSetsBudget() ? 2 : 1);
    return System.nanoTime() - runningSince >= limit;
  }

  /**
   * The fraction of the step budget used before the next step, {@code step / budgetSteps}; NaN
   * without a budget (no cooldown). Under a time limit without a step budget it is 0 (a constant
   * schedule) until {@code 1 - cooldown} of the time has passed; then the step budget is fixed (see
   * {@link LearnerConfig#maxDuration()}) and recorded, so that nothing after depends on time.
   */
  private double progress() {
    if (budgetSteps == 0 && !config.maxDuration().isZero() && hp.cooldown() > 0) {
      double t = (System.nanoTime() - runningSince) / (double) config.maxDuration().toNanos();
      if (t < 1 - hp.cooldown()) {
        return 0;
      }
      budgetSteps = Math.max(step + 1, (long) Math.ceil(step / (1 - hp.cooldown())));
      LOG.info(
          "{}: {} of the time limit has passed at step {}: the step budget is now {}",
          name(),
          String.format("%.0f%%", 100 * (1 - hp.cooldown())),
          step,
          budgetSteps);
    }
    return budgetSteps > 0 ? (double) step / budgetSteps : Double.NaN;
  }

  /** Whether the input's end is reached at {@code offset} (the next record's). */
  private boolean endReached(long offset) {
    return inputEnd >= 0 && offset >= inputEnd;
  }

  /** Publishes the steps not yet published, if any (a partial batch stays unconsumed). */
  private void publishPending() {
    if (core.step() > core.publishedStep() && steppedThrough >= 0) {
      publish(core.publish(), steppedThrough);
    }
  }

  /**
   * The end offset of each partition of {@code topic} now, by partition. When a new model publishes
   * version 0, its samplers count only its groups on {@code samples} after these offsets (see
   * {@code PolicyVersion.samplesBaseOffsets}), and only its dead letters after the sum of those of
   * {@code dead-letters} ({@code deadLettersBase}).
   */
  private List<Long> partitionEnds(String topic) {
    List<TopicPartition> parts = TopicPartitions.of(name(), consumer, topic, timeLeft());
    Map<TopicPartition, Long> ends = consumer.endOffsets(parts, timeLeft());
    Long[] byPartition = new Long[parts.size()];
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      byPartition[e.getKey().partition()] = e.getValue();
    }
    return List.of(byPartition);
  }

  /** The whole batches of labelled records in {@code [from, end)} of the input. */
  private long wholeBatches(long from, long end) {
    long records = 0;
    consumer.assign(List.of(labeled));
    consumer.seek(labeled, from);
    while (consumer.position(labeled, timeLeft()) < end) {
      if (stopRequested()) {
        return 0;
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
        if (r.offset() < end) {
          records++;
        }
      }
    }
    consumer.unsubscribe();
    return records / hp.batchGroups();
  }

  /** Consume, batch, step, publish: until a budget is reached or the learner is closed. */
  private void loop() {
    if (maxStepsReached()) {
      LOG.info(
          "{}: the checkpoint is at step {}, its step budget {}: nothing to do",
          name(),
          step,
          budgetSteps);
      return;
    }
    Deque<ConsumerRecord<String, byte[]>> queue = new ArrayDeque<>();
    List<TrainingGroup> batch = new ArrayList<>(hp.batchGroups());
    ModelConfig model = core.policy().config();
    while (!stopRequested()) {
      metrics.maybePublish(false);
      if (queue.isEmpty()) {
        if (endReached(consumer.position(labeled))) {
          publishPending();
          LOG.info(
              "{} reached the end of its input, offset {}, at step {}", name(), inputEnd, step);
          return;
        }
        if (starvedPastTimeLimit()) {
          // Time is up between two steps: publish the steps not yet published, if any; a partial
          // batch stays unconsumed (the position is the last step's).
          publishPending();
          LOG.info("{} reached maxDuration {} at step {}", name(), config.maxDuration(), step);
          return;
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          queue.addLast(r);
        }
        continue;
      }
      ConsumerRecord<String, byte[]> record = queue.pollFirst();
      if (endReached(record.offset())) {
        publishPending();
        LOG.info("{} reached the end of its input, offset {}, at step {}", name(), inputEnd, step);
        return;
      }
      consume(record, model, batch);
      if (batch.size() < hp.batchGroups()) {
        continue;
      }
      train(batch);
      batch.clear();
      if (stopRequested()) {
        return; // closed: the steps since the last publication are dropped, as in a crash
      }
      steppedThrough = record.offset() + 1;
      boolean timeUp = timeStopsAtStep();
      if (core.publishDue() || maxStepsReached() || timeUp) {
        publish(core.publish(), steppedThrough);
      }
      if (maxStepsReached()) {
        LOG.info("{} reached its step budget {}", name(), budgetSteps);
        return;
      }
      if (timeUp) {
        LOG.info("{} reached maxDuration {} at step {}", name(), config.maxDuration(), step);
        return;
      }
    }
  }

  /** Decodes and validates one record: a group for the batch, or a dead letter. */
  private void consume(
      ConsumerRecord<String, byte[]> record, ModelConfig model, List<TrainingGroup> batch) {
    Instant now = clock.instant();
    consumedGroups++;
    try {
      TrainingGroup group = TrainingGroup.of(labeledValues.decode(record), model);
      stalenessSum += core.policyVersion() - group.policyVersion();
      stalenessCount++;
      batch.add(group);
    } catch (RecordDecodingException e) {
      LOG.warn("{}: undecodable record at offset {}: {}", name(), record.offset(), e.getMessage());
      letters.add(DeadLetters.undecodable(record, e, COMPONENT, now));
    } catch (InvalidGroupException e) {
      LOG.warn("{}: invalid group at offset {}: {}", name(), record.offset(), e.getMessage());
      letters.add(DeadLetters.of(record, e.reason(), e.getMessage(), COMPONENT, now));
    }
  }

  /** One step of the core on a full batch. */
  private void train(List<TrainingGroup> batch) {
    LearnerCore.StepReport report = core.step(batch, progress());
    trainedGroups += batch.size();
    step = core.step();
    skippedSteps = core.skippedSteps();
    lastLoss = report.loss();
    metrics.add(report);
    if (!report.applied()) {
      LOG.warn(
          "{}: step skipped, loss {} gradient norm {} (not finite); {} skipped so far",
          name(),
          report.loss(),
          report.gradNorm(),
          skippedSteps);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Publication and checkpoints

  /**
   * One transaction: the POLICY version, the MAGNET version on a reset, the checkpoint, the dead
   * letters and the consumed position of {@code labeled}.
   */
  private void publish(LearnerCore.Publication pub, long through) {
    Instant now = clock.instant();
    LearnerState state =
        LearnerState.newBuilder()
            .setLabeledThrough(through)
            .setConsumedGroups(consumedGroups)
            .setStalenessSum(stalenessSum)
            .setStalenessCount(stalenessCount)
            .setBudgetSteps(budgetSteps)
            .setSamplesBase(samplesBase)
            .setDeadLettersBase(deadLettersBase)
            .setSamplesBaseOffsets(samplesBaseOffsets)
            .setInputFrom(inputFrom)
            .setInputEnd(inputEnd)
            .setCore(core.state())
            .build();
    LearnerCheckpoint.Builder header =
        LearnerCheckpoint.newBuilder()
            .setModelId(config.modelId())
            .setStep(pub.step())
            .setPolicyVersion(pub.policyVersion())
            .setMagnetVersion(pub.magnetVersion())
            .setAlgorithm(hp.algorithm().id())
            .setSeed(hp.seed())
            .setConfig(config.toJson())
            .setOffsets(VersionPublisher.offsets(labeled, through))
            .setTime(now);
    String sha256 =
        publisher.publish(
            new VersionPublisher.Versions(
                pub.policyVersion(),
                pub.magnetReset(),
                pub.magnetVersion(),
                pub.step(),
                hp.algorithm().id(),
                consumedGroups,
                samplesBase,
                deadLettersBase,
                samplesBaseOffsets),
            core.weights(),
            checkpoints.records(header, state),
            letters,
            labeled,
            through,
            consumer.groupMetadata(),
            now);
    letters.clear();
    policySha256 = sha256;
    policyVersion = pub.policyVersion();
    magnetVersion = pub.magnetVersion();
    LOG.debug(
        "{}: published version {} at step {}{}, {} groups consumed",
        name(),
        pub.policyVersion(),
        pub.step(),
        pub.magnetReset() ? " with magnet " + pub.magnetVersion() : "",
        consumedGroups);
  }

  /** Restores from a checkpoint; returns the position of {@code labeled} to continue from. */
  private long restore(Checkpoint checkpoint, Device device) {
    LearnerState state = checkpoint.state();
    try {
      core = own(LearnerCore.restore(state.getCore(), hp, device));
      core.injectFaults(config.faults());
    } catch (IllegalArgumentException e) {
      throw new ServiceException(name() + ": the checkpoint cannot be restored: " + e.getMessage());
    }
    consumedGroups = state.getConsumedGroups();
    stalenessSum = state.getStalenessSum();
    stalenessCount = state.getStalenessCount();
    step = core.step();
    skippedSteps = core.skippedSteps();
    policyVersion = core.policyVersion();
    magnetVersion = core.magnetVersion();
    policySha256 = Sha256.hex(core.previousWeights()); // pi_t: the last version published
    inputFrom = state.getInputFrom();
    samplesBase = state.getSamplesBase();
    deadLettersBase = state.getDeadLettersBase();
    samplesBaseOffsets = List.copyOf(state.getSamplesBaseOffsets());
    inputEnd = state.getInputEnd() >= 0 ? state.getInputEnd() : config.endOffset().orElse(-1);
    budgetSteps = config.maxSteps() > 0 ? config.maxSteps() : state.getBudgetSteps();
    if (!checkpoint.header().getConfig().equals(config.toJson())) {
      LOG.info(
          "{}: the checkpoint was made with {}; continuing with {}",
          name(),
          checkpoint.header().getConfig(),
          config.toJson());
    }
    LOG.info(
        "{}: restored the checkpoint of step {} (version {}, magnet {}), {} groups consumed;"
            + " reading {} from offset {}{}, step budget {}",
        name(),
        step,
        policyVersion,
        magnetVersion,
        consumedGroups,
        labeled.topic(),
        state.getLabeledThrough(),
        inputEnd >= 0 ? " to " + inputEnd : "",
        budgetSteps == 0 ? "none yet" : budgetSteps);
    return state.getLabeledThrough();
  }

  /** Where to read {@code labeled} without a checkpoint: offset, time or the beginning. */
  private long startPosition() {
    if (config.startOffset().isPresent()) {
      return config.startOffset().getAsLong();
    }
    if (config.startTime().isPresent()) {
      Map<TopicPartition, OffsetAndTimestamp> found =
          consumer.offsetsForTimes(
              Map.of(labeled, config.startTime().get().toEpochMilli()), timeLeft());
      OffsetAndTimestamp at = found.get(labeled);
      if (at != null) {
        return at.offset();
      }
      return consumer.endOffsets(List.of(labeled), timeLeft()).get(labeled);
    }
    return consumer.beginningOffsets(List.of(labeled), timeLeft()).get(labeled);
  }

  /** What is left of the start's timeout, at least 1 ms (the clients' timeouts). */
  private Duration timeLeft() {
    Duration left = startTimeLeft();
    return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = config.cluster().clientProperties(name() + "-labeled");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(64, 4 * hp.batchGroups()));
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
