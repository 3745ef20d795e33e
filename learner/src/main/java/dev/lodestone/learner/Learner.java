package dev.lodestone.learner;

import ai.djl.Device;
import dev.lodestone.policy.Engines;
import dev.lodestone.policy.ModelConfig;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.LabeledGroup;
import dev.lodestone.schemas.avro.LearnerCheckpoint;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.ModelRole;
import dev.lodestone.schemas.avro.PolicyVersion;
import dev.lodestone.schemas.avro.TopicPartitionOffset;
import dev.lodestone.schemas.chunk.AssembledBlob;
import dev.lodestone.schemas.chunk.ChunkAssembler;
import dev.lodestone.schemas.chunk.ChunkAssemblyException;
import dev.lodestone.schemas.chunk.ChunkedBlob;
import dev.lodestone.schemas.chunk.Chunker;
import dev.lodestone.schemas.lifecycle.Lifecycle;
import dev.lodestone.schemas.lifecycle.Service;
import dev.lodestone.schemas.lifecycle.ServiceException;
import dev.lodestone.schemas.lifecycle.ServiceState;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.RecordDecodingException;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner service (DESIGN.md section 2, docs/pipeline.md): a transactional
 * consume-process-produce loop over {@code labeled} that applies MPO updates ({@link LearnerCore})
 * and publishes policy and magnet versions.
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
 * Every {@link LearnerConfig#metricsInterval()}, and once when stopping, a {@link MetricEvent} to
 * {@code metrics} (component {@code learner}; not transactional): {@code loss/total}, {@code
 * loss/policy}, {@code kl/magnet} (absent for OMD), {@code kl/previous}, {@code reward/mean},
 * {@code is/meanWeight}, {@code is/clippedFraction} (means over the steps of the interval), {@code
 * staleness/versions} (mean over all consumed groups), {@code learner/skippedSteps}, {@code
 * learner/groupsPerSecond} (over the interval), {@code learner/step}, {@code
 * learner/policyVersion}, {@code learner/magnetVersion}.
 */
public final class Learner implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(Learner.class);

  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "learner";

  private static final byte[] STATE_MAGIC = "LDSTLRNR".getBytes(StandardCharsets.US_ASCII);
  private static final int STATE_FORMAT = 1;
  private static final Duration POLL = Duration.ofMillis(200);

  private final LearnerConfig config;
  private final LearnerHyperparameters hp;
  private final byte[] initialWeights;
  private final Lifecycle lifecycle;
  private final Clock clock = Clock.systemUTC();
  private final Thread thread;
  private final TopicPartition labeled = new TopicPartition(Topics.LABELED.name(), 0);

  private volatile boolean stopRequested;
  private volatile long startDeadline;
  private volatile KafkaConsumer<?, ?> wakeable;

  // Progress, written by the learner thread.
  private volatile long step;
  private volatile long policyVersion = -1;
  private volatile long magnetVersion = -1;
  private volatile long consumedGroups;
  private volatile long skippedSteps;
  private volatile long stalenessSum;
  private volatile long stalenessCount;
  private volatile long trainedGroups;
  private volatile double lastLoss = Double.NaN;
  private volatile long runningSince;

  /** The {@code labeled} offset after the last record of the last step; -1 before the first. */
  private long steppedThrough = -1;

  // The learner thread's own state.
  private LearnerCore core;
  private final List<DeadLetter> letters = new ArrayList<>();
  private final MetricsWindow window = new MetricsWindow();

  /**
   * A learner; nothing starts before {@link #start(Duration)}.
   *
   * @param config the configuration
   * @param initialWeights the weights of version 0, used only when {@code learner-state} holds no
   *     checkpoint for the model; may be null, and then start fails with a clear message when no
   *     checkpoint exists
   */
  public Learner(LearnerConfig config, byte[] initialWeights) {
    this.config = Objects.requireNonNull(config, "config");
    this.hp = config.hyperparameters();
    this.initialWeights = initialWeights == null ? null : initialWeights.clone();
    this.lifecycle = new Lifecycle(name());
    this.thread = new Thread(this::run, name());
    this.thread.setDaemon(true);
  }

  /** The configuration. */
  public LearnerConfig config() {
    return config;
  }

  @Override
  public String name() {
    return COMPONENT + "-" + config.modelId();
  }

  @Override
  public ServiceState state() {
    return lifecycle.state();
  }

  @Override
  public Optional<Throwable> failure() {
    return lifecycle.failure();
  }

  /**
   * Starts the learner and waits until it is RUNNING: the checkpoint restored (or version 0
   * published) and {@code labeled} positioned. Also returns normally when it ran and already
   * stopped by itself ({@code maxSteps} reached).
   *
   * @throws ServiceException when a topic is missing, there is neither a checkpoint nor initial
   *     weights, the cluster does not answer within {@code timeout}, or the learner fails while
   *     starting; it is then closed
   * @throws IllegalStateException when it was started before
   */
  @Override
  public void start(Duration timeout) {
    lifecycle.starting();
    startDeadline = System.nanoTime() + timeout.toNanos();
    thread.start();
    try {
      lifecycle.awaitStarted(timeout); // also when it ran and stopped by itself (maxSteps reached)
    } catch (ServiceException e) {
      close();
      throw e;
    }
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
        lastLoss);
  }

  /**
   * Waits until the learner has stopped (closed, or {@code maxSteps} reached) or failed, at most
   * {@code timeout}.
   *
   * @return the state reached (not terminal when the wait timed out)
   */
  public ServiceState awaitTermination(Duration timeout) {
    return lifecycle.awaitTerminated(timeout);
  }

  /**
   * Stops the learner without publishing: the steps since the last publication are dropped and will
   * be redone by the next learner of this model. Idempotent.
   */
  @Override
  public void close() {
    stopRequested = true;
    boolean wasLive = lifecycle.stopping();
    KafkaConsumer<?, ?> c = wakeable;
    if (c != null) {
      c.wakeup();
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (wasLive && !thread.isAlive() && lifecycle.state() == ServiceState.STOPPING) {
      lifecycle.stopped(); // never started
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The learner thread

  /** The clients and serdes of one run. */
  private record Io(
      KafkaProducer<String, byte[]> producer,
      KafkaProducer<String, byte[]> metricsProducer,
      KafkaConsumer<String, byte[]> consumer,
      AvroDeserializer<LabeledGroup> labeledValues,
      AvroSerializer<PolicyVersion> policyValues,
      AvroSerializer<LearnerCheckpoint> checkpointValues,
      AvroSerializer<MetricEvent> metricValues,
      AvroSerializer<DeadLetter> letterValues) {}

  private void run() {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      Device device = Engines.device(config.device());
      SchemaRegistryClient registry = config.cluster().registryClient();
      KafkaConsumer<String, byte[]> consumer = consumer();
      resources.add(0, consumer);
      wakeable = consumer;
      for (String topic :
          List.of(Topics.LABELED.name(), Topics.POLICY.name(), Topics.LEARNER_STATE.name())) {
        requireTopic(consumer, topic);
      }
      KafkaProducer<String, byte[]> metricsProducer = metricsProducer();
      resources.add(0, metricsProducer);
      KafkaProducer<String, byte[]> producer = transactionalProducer();
      resources.add(0, producer);
      producer.initTransactions(); // fences an older learner of this model
      Io io =
          new Io(
              producer,
              metricsProducer,
              consumer,
              TopicSerdes.valueDeserializer(Topics.LABELED, registry),
              TopicSerdes.valueSerializer(
                  Topics.POLICY, registry, SchemaRegistration.AUTO_REGISTER),
              TopicSerdes.valueSerializer(
                  Topics.LEARNER_STATE, registry, SchemaRegistration.AUTO_REGISTER),
              TopicSerdes.valueSerializer(
                  Topics.METRICS, registry, SchemaRegistration.AUTO_REGISTER),
              TopicSerdes.valueSerializer(
                  Topics.DEAD_LETTERS, registry, SchemaRegistration.AUTO_REGISTER));
      long position;
      Optional<AssembledBlob<LearnerCheckpoint>> checkpoint = newestCheckpoint(registry, resources);
      if (stopRequested) {
        return; // closed while starting: publish nothing
      }
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
        core = LearnerCore.initial(initialWeights, hp, device);
        resources.add(0, core);
        position = startPosition(consumer);
        LOG.info(
            "{}: no checkpoint; publishing version 0 and reading labeled from offset {}",
            name(),
            position);
        publish(io, new LearnerCore.Publication(0, true, 0, 0), position);
      }
      consumer.assign(List.of(labeled));
      consumer.seek(labeled, position);
      if (stopRequested || !lifecycle.running()) {
        return;
      }
      runningSince = System.nanoTime();
      window.reset(runningSince);
      LOG.info(
          "{} running: {}, step {}, version {}, device {}",
          name(),
          hp.asMap(),
          step,
          policyVersion,
          device);
      loop(io);
    } catch (WakeupException e) {
      if (!stopRequested) {
        fail(e);
      }
    } catch (RuntimeException | Error e) {
      if (!stopRequested) {
        fail(e);
      } else {
        LOG.debug("{} stopped with {}", name(), e.toString());
      }
    } finally {
      wakeable = null;
      for (AutoCloseable r : resources) {
        try {
          r.close();
        } catch (Exception e) {
          LOG.warn("{}: closing {} failed: {}", name(), r, e.toString());
        }
      }
      core = null;
      lifecycle.stopped();
      LOG.info("{} {} at step {}, version {}", name(), lifecycle.state(), step, policyVersion);
    }
  }

  private void fail(Throwable e) {
    LOG.error("{} failed: {}", name(), e.toString(), e);
    lifecycle.failed(e);
  }

  private boolean maxStepsReached() {
    return config.maxSteps() > 0 && step >= config.maxSteps();
  }

  private boolean maxDurationReached() {
    return !config.maxDuration().isZero()
        && System.nanoTime() - runningSince >= config.maxDuration().toNanos();
  }

  /**
   * The fraction of the budget used: of {@code maxSteps} (counted from step 0 of the model, as
   * {@code maxSteps} is) or of {@code maxDuration} (since the learner started consuming), the
   * larger if both are set; NaN without a budget.
   */
  private double progress() {
    double p = Double.NaN;
    if (config.maxSteps() > 0) {
      p = (double) step / config.maxSteps();
    }
    if (!config.maxDuration().isZero()) {
      double t = (System.nanoTime() - runningSince) / (double) config.maxDuration().toNanos();
      p = Double.isNaN(p) ? t : Math.max(p, t);
    }
    return p;
  }

  private void loop(Io io) {
    if (maxStepsReached()) {
      LOG.info(
          "{}: the checkpoint is at step {}, maxSteps {}: nothing to do",
          name(),
          step,
          config.maxSteps());
      return;
    }
    Deque<ConsumerRecord<String, byte[]>> queue = new ArrayDeque<>();
    List<TrainingGroup> batch = new ArrayList<>(hp.batchGroups());
    ModelConfig model = core.policy().config();
    try {
      while (!stopRequested) {
        window.maybePublish(io, false);
        if (queue.isEmpty()) {
          if (maxDurationReached()) {
            // Time is up between two steps: publish the steps not yet published, if any; a partial
            // batch stays unconsumed (the position is the last step's).
            if (core.step() > core.publishedStep() && steppedThrough >= 0) {
              publish(io, core.publish(), steppedThrough);
            }
            LOG.info("{} reached maxDuration {} at step {}", name(), config.maxDuration(), step);
            return;
          }
          for (ConsumerRecord<String, byte[]> r : io.consumer().poll(POLL)) {
            queue.addLast(r);
          }
          continue;
        }
        ConsumerRecord<String, byte[]> record = queue.pollFirst();
        consume(io, record, model, batch);
        if (batch.size() < hp.batchGroups()) {
          continue;
        }
        LearnerCore.StepReport report = core.step(batch, progress());
        trainedGroups += batch.size();
        batch.clear();
        step = core.step();
        skippedSteps = core.skippedSteps();
        lastLoss = report.loss();
        window.add(report);
        if (!report.applied()) {
          LOG.warn(
              "{}: step skipped, loss {} gradient norm {} (not finite); {} skipped so far",
              name(),
              report.loss(),
              report.gradNorm(),
              skippedSteps);
        }
        if (stopRequested) {
          return; // closed: the steps since the last publication are dropped, as in a crash
        }
        steppedThrough = record.offset() + 1;
        boolean timeUp = maxDurationReached();
        if (core.publishDue() || maxStepsReached() || timeUp) {
          publish(io, core.publish(), steppedThrough);
        }
        if (maxStepsReached()) {
          LOG.info("{} reached maxSteps {}", name(), config.maxSteps());
          return;
        }
        if (timeUp) {
          LOG.info("{} reached maxDuration {} at step {}", name(), config.maxDuration(), step);
          return;
        }
      }
    } finally {
      window.maybePublish(io, true);
    }
  }

  /** Decodes and validates one record: a group for the batch, or a dead letter. */
  private void consume(
      Io io, ConsumerRecord<String, byte[]> record, ModelConfig model, List<TrainingGroup> batch) {
    Instant now = clock.instant();
    consumedGroups++;
    try {
      LabeledGroup labeledGroup = io.labeledValues().decode(record);
      TrainingGroup group = TrainingGroup.of(labeledGroup, model);
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

  // ---------------------------------------------------------------------------------------------
  // Publication

  /**
   * One transaction: the POLICY version, the MAGNET version on a reset, the checkpoint, the dead
   * letters and the consumed position of {@code labeled}.
   */
  private void publish(Io io, LearnerCore.Publication pub, long through) {
    Instant now = clock.instant();
    List<TopicPartitionOffset> offsets =
        List.of(new TopicPartitionOffset(labeled.topic(), labeled.partition(), through));
    ChunkedBlob weights = Chunker.split(core.weights(), Chunker.DEFAULT_MAX_CHUNK_BYTES);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    addVersion(io, records, ModelRole.POLICY, pub.policyVersion(), pub, weights, offsets, now);
    if (pub.magnetReset()) {
      addVersion(io, records, ModelRole.MAGNET, pub.magnetVersion(), pub, weights, offsets, now);
    }
    ChunkedBlob state = Chunker.split(stateBytes(through), Chunker.DEFAULT_MAX_CHUNK_BYTES);
    List<LearnerCheckpoint> chunks =
        Chunker.learnerCheckpointChunks(
            LearnerCheckpoint.newBuilder()
                .setModelId(config.modelId())
                .setStep(pub.step())
                .setPolicyVersion(pub.policyVersion())
                .setMagnetVersion(pub.magnetVersion())
                .setAlgorithm(hp.algorithm().id())
                .setSeed(hp.seed())
                .setConfig(config.toJson())
                .setOffsets(offsets)
                .setTime(now),
            state);
    for (LearnerCheckpoint c : chunks) {
      records.add(
          new ProducerRecord<>(
              Topics.LEARNER_STATE.name(),
              config.modelId() + "/" + c.getChunkIndex(),
              io.checkpointValues().encode(c)));
    }
    for (DeadLetter letter : letters) {
      records.add(
          new ProducerRecord<>(
              Topics.DEAD_LETTERS.name(),
              letter.getSourceTopic(),
              io.letterValues().encode(letter)));
    }
    KafkaProducer<String, byte[]> producer = io.producer();
    try {
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> r : records) {
        producer.send(r);
      }
      producer.sendOffsetsToTransaction(
          Map.of(labeled, new OffsetAndMetadata(through)), io.consumer().groupMetadata());
      producer.commitTransaction();
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException abort) {
        e.addSuppressed(abort);
      }
      throw new ServiceException(
          name() + ": publishing version " + pub.policyVersion() + " failed", e);
    }
    letters.clear();
    policyVersion = pub.policyVersion();
    magnetVersion = pub.magnetVersion();
    LOG.debug(
        "{}: published version {} at step {}{}, {} groups consumed, {} checkpoint bytes",
        name(),
        pub.policyVersion(),
        pub.step(),
        pub.magnetReset() ? " with magnet " + pub.magnetVersion() : "",
        consumedGroups,
        state.totalBytes());
  }

  private void addVersion(
      Io io,
      List<ProducerRecord<String, byte[]>> records,
      ModelRole role,
      long version,
      LearnerCore.Publication pub,
      ChunkedBlob weights,
      List<TopicPartitionOffset> offsets,
      Instant now) {
    List<PolicyVersion> chunks =
        Chunker.policyVersionChunks(
            PolicyVersion.newBuilder()
                .setModelId(config.modelId())
                .setRole(role)
                .setVersion(version)
                .setMagnetVersion(pub.magnetVersion())
                .setStep(pub.step())
                .setAlgorithm(hp.algorithm().id())
                .setConsumedOffsets(offsets)
                .setConsumedGroups(consumedGroups)
                .setGroupsPerVersion(config.groupsPerVersion())
                .setTime(now),
            weights);
    for (PolicyVersion c : chunks) {
      records.add(
          new ProducerRecord<>(
              Topics.POLICY.name(),
              config.modelId() + "/" + role + "/" + c.getChunkIndex(),
              io.policyValues().encode(c)));
    }
  }

  /** The checkpoint blob: the service's counters, then the core's state. */
  private byte[] stateBytes(long through) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(STATE_MAGIC);
      out.writeInt(STATE_FORMAT);
      out.writeLong(through);
      out.writeLong(consumedGroups);
      out.writeLong(stalenessSum);
      out.writeLong(stalenessCount);
      out.write(core.stateBytes());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /** Restores from a checkpoint; returns the position of {@code labeled} to continue from. */
  private long restore(AssembledBlob<LearnerCheckpoint> checkpoint, Device device) {
    ByteBuffer in = ByteBuffer.wrap(checkpoint.bytes());
    byte[] magic = new byte[STATE_MAGIC.length];
    if (in.remaining() < STATE_MAGIC.length + 4 + 32) {
      throw new ServiceException(name() + ": the checkpoint is too short to be a learner state");
    }
    in.get(magic);
    int format = in.getInt();
    if (!Arrays.equals(magic, STATE_MAGIC) || format != STATE_FORMAT) {
      throw new ServiceException(
          name() + ": the checkpoint is not a learner state of format " + STATE_FORMAT);
    }
    long through = in.getLong();
    long consumed = in.getLong();
    long stalenessTotal = in.getLong();
    long stalenessN = in.getLong();
    byte[] coreState = new byte[in.remaining()];
    in.get(coreState);
    core = LearnerCore.restore(coreState, hp, device);
    consumedGroups = consumed;
    stalenessSum = stalenessTotal;
    stalenessCount = stalenessN;
    step = core.step();
    skippedSteps = core.skippedSteps();
    policyVersion = core.policyVersion();
    magnetVersion = core.magnetVersion();
    LearnerCheckpoint header = checkpoint.header();
    if (!header.getConfig().equals(config.toJson())) {
      LOG.info(
          "{}: the checkpoint was made with {}; continuing with {}",
          name(),
          header.getConfig(),
          config.toJson());
    }
    LOG.info(
        "{}: restored the checkpoint of step {} (version {}, magnet {}), {} groups consumed;"
            + " reading labeled from offset {}",
        name(),
        step,
        policyVersion,
        magnetVersion,
        consumed,
        through);
    return through;
  }

  /**
   * The newest complete checkpoint of this model on {@code learner-state}, read {@code
   * read_committed} to the end; incomplete or corrupt ones (left behind by compaction) are skipped.
   */
  private Optional<AssembledBlob<LearnerCheckpoint>> newestCheckpoint(
      SchemaRegistryClient registry, List<AutoCloseable> resources) {
    AvroDeserializer<LearnerCheckpoint> values =
        TopicSerdes.valueDeserializer(Topics.LEARNER_STATE, registry);
    Properties p = config.cluster().clientProperties(name() + "-state");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    String prefix = config.modelId() + "/";
    AssembledBlob<LearnerCheckpoint> newest = null;
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      wakeable = c;
      List<TopicPartition> parts = partitions(c, Topics.LEARNER_STATE.name());
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, remaining());
      ChunkAssembler<LearnerCheckpoint> assembler = ChunkAssembler.forLearnerCheckpoint();
      while (parts.stream().anyMatch(tp -> c.position(tp, remaining()) < end.get(tp))) {
        if (stopRequested) {
          return Optional.empty();
        }
        if (System.nanoTime() > startDeadline) {
          throw new ServiceException(
              name() + ": could not read learner-state to its end " + end + " in time");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
          if (r.key() == null || !r.key().startsWith(prefix)) {
            continue;
          }
          LearnerCheckpoint chunk;
          try {
            chunk = values.decode(r);
          } catch (RecordDecodingException e) {
            LOG.warn("{}: skipping an undecodable checkpoint chunk: {}", name(), e.getMessage());
            continue;
          }
          if (!chunk.getModelId().equals(config.modelId())) {
            continue;
          }
          try {
            if (!assembler.accepts(chunk)) {
              assembler = ChunkAssembler.forLearnerCheckpoint();
            }
            if (assembler.add(chunk)) {
              newest = assembler.assemble();
              assembler = ChunkAssembler.forLearnerCheckpoint();
            }
          } catch (ChunkAssemblyException e) {
            LOG.warn("{}: skipping a checkpoint chunk: {}", name(), e.getMessage());
            assembler = ChunkAssembler.forLearnerCheckpoint();
          }
        }
      }
    } finally {
      wakeable = resources.isEmpty() ? null : firstConsumer(resources);
    }
    return Optional.ofNullable(newest);
  }

  private static KafkaConsumer<?, ?> firstConsumer(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      if (r instanceof KafkaConsumer<?, ?> k) {
        return k;
      }
    }
    return null;
  }

  /** Where to read {@code labeled} without a checkpoint: offset, time or the beginning. */
  private long startPosition(KafkaConsumer<String, byte[]> consumer) {
    if (config.startOffset().isPresent()) {
      return config.startOffset().getAsLong();
    }
    if (config.startTime().isPresent()) {
      Map<TopicPartition, OffsetAndTimestamp> found =
          consumer.offsetsForTimes(
              Map.of(labeled, config.startTime().get().toEpochMilli()), remaining());
      OffsetAndTimestamp at = found.get(labeled);
      if (at != null) {
        return at.offset();
      }
      return consumer.endOffsets(List.of(labeled), remaining()).get(labeled);
    }
    return consumer.beginningOffsets(List.of(labeled), remaining()).get(labeled);
  }

  // ---------------------------------------------------------------------------------------------
  // Clients

  private Duration remaining() {
    return Duration.ofNanos(Math.max(1_000_000, startDeadline - System.nanoTime()));
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = config.cluster().clientProperties(name() + "-labeled");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(64, 4 * hp.batchGroups()));
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private KafkaProducer<String, byte[]> transactionalProducer() {
    Properties p = config.cluster().clientProperties(name() + "-producer");
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaProducer<String, byte[]> metricsProducer() {
    Properties p = config.cluster().clientProperties(name() + "-metrics");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private void requireTopic(KafkaConsumer<?, ?> consumer, String topic) {
    partitions(consumer, topic);
  }

  private List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining());
    if (infos == null || infos.isEmpty()) {
      throw new ServiceException(
          name()
              + ": topic "
              + topic
              + " does not exist; create the catalogue's topics first (lodestone up does)");
    }
    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  // ---------------------------------------------------------------------------------------------
  // Metrics

  /** Means of the step reports over the interval since the last event. */
  private final class MetricsWindow {
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

    void reset(long now) {
      since = now;
      trainedAt = trainedGroups;
      n = 0;
      nMagnet = 0;
      loss =
          policy =
              klMagnet = klPrevious = reward = weight = opponentWeight = clipped = trustRegion = 0;
    }

    void add(LearnerCore.StepReport r) {
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

    void maybePublish(Io io, boolean last) {
      long now = System.nanoTime();
      if (!last && now - since < config.metricsInterval().toNanos()) {
        return;
      }
      double seconds = Math.max(now - since, 1) / 1e9;
      LearnerStats s = stats();
      Map<String, Double> values = new LinkedHashMap<>();
      if (n > 0) {
        values.put("loss/total", loss / n);
        values.put("loss/policy", policy / n);
        if (nMagnet > 0) {
          values.put("kl/magnet", klMagnet / nMagnet);
        }
        values.put("kl/previous", klPrevious / n);
        values.put("reward/mean", reward / n);
        values.put("is/meanWeight", weight / n);
        values.put("is/meanOpponentWeight", opponentWeight / n);
        values.put("is/clippedFraction", clipped / n);
        values.put("tr/droppedFraction", trustRegion / n);
      }
      values.put("staleness/versions", s.meanStalenessVersions());
      values.put("learner/skippedSteps", (double) s.skippedSteps());
      values.put("learner/groupsPerSecond", (trainedGroups - trainedAt) / seconds);
      values.put("learner/step", (double) s.step());
      values.put("learner/policyVersion", (double) s.policyVersion());
      values.put("learner/magnetVersion", (double) s.magnetVersion());
      values.put("learner/consumedGroups", (double) s.consumedGroups());
      MetricEvent event =
          MetricEvent.newBuilder()
              .setComponent(COMPONENT)
              .setInstanceId(name())
              .setStep(s.step())
              .setPolicyVersion(s.policyVersion())
              .setValues(values)
              .setTags(
                  Map.of(
                      "modelId", config.modelId(),
                      "algorithm", hp.algorithm().id(),
                      "seed", Long.toString(hp.seed())))
              .setTime(clock.instant())
              .build();
      io.metricsProducer()
          .send(
              new ProducerRecord<>(
                  Topics.METRICS.name(), COMPONENT, io.metricValues().encode(event)),
              (metadata, error) -> {
                if (error != null) {
                  LOG.warn("{}: could not publish metrics: {}", name(), error.toString());
                }
              });
      LOG.info(
          "{}: step {}, version {}, magnet {}, {} groups consumed, loss {}, {} groups/s",
          name(),
          s.step(),
          s.policyVersion(),
          s.magnetVersion(),
          s.consumedGroups(),
          n > 0 ? String.format("%.4f", loss / n) : "-",
          String.format("%.1f", (trainedGroups - trainedAt) / seconds));
      reset(now);
    }
  }
}
