package dev.lodestone.judge.human;

import dev.lodestone.games.Games;
import dev.lodestone.games.PreferenceGame;
import dev.lodestone.judge.Pairs;
import dev.lodestone.judge.streams.internal.RecordValidation;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.FeedbackItem;
import dev.lodestone.schemas.avro.FeedbackPair;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.LabelVerdict;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.Response;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.MetricsSender;
import dev.lodestone.service.ServiceException;
import dev.lodestone.service.ServiceThread;
import dev.lodestone.service.TopicPartitions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The human judge: people, and applications on behalf of their users, compare pairs of responses
 * through a web page and a JSON API ({@link FeedbackHttp}), and every answer becomes a {@link
 * PreferenceLabel} of kind {@link JudgeKind#HUMAN} on {@code labels}, its {@code judgeId} the
 * annotator's name.
 *
 * <p>One thread owns Kafka. It takes sample groups from {@code samples} into the queue ({@link
 * FeedbackQueue}) and publishes the answers the HTTP threads accept, each batch in one transaction
 * that writes the labels, the changed groups' state to the compacted topic {@code feedback}, any
 * dead letters, and the consumed offsets of {@code samples}. An answer is confirmed to its caller
 * only after that transaction commits, and counted in the queue only then. A restart, kill -9
 * included, reads {@code feedback} back and resumes {@code samples} at the committed offsets: no
 * confirmed label is lost, none is published twice, and items that were handed out but not answered
 * are offered again (leases live in memory only).
 *
 * <p>One instance serves a queue: a second instance with the same {@link
 * FeedbackConfig#instanceId()} fences the first. Groups invalid by the sample rules go to {@code
 * dead-letters}.
 */
public final class FeedbackService extends ServiceThread {
  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "feedback";

  private static final Logger LOG = LoggerFactory.getLogger(FeedbackService.class);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);
  private static final int RECENT_LABELS = 50;

  private final FeedbackConfig config;
  private final SchemaRegistryClient registry;
  private final Clock clock;
  private final Object lock = new Object();
  private final FeedbackQueue queue;
  private final Agreement agreement;
  private final LinkedBlockingQueue<Pending> submissions = new LinkedBlockingQueue<>();
  private final Map<String, Annotator> annotators = new ConcurrentHashMap<>();
  private final Map<String, Optional<PreferenceGame>> games = new HashMap<>();
  private final TokenAuthenticator tokens;
  private final AtomicLong labels = new AtomicLong();
  private final AtomicLong skips = new AtomicLong();
  private final AtomicLong groupsTaken = new AtomicLong();
  private final AtomicLong groupsCompleted = new AtomicLong();
  private final AtomicLong groupsExpired = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong decided = new AtomicLong();
  private final AtomicLong firstPreferred = new AtomicLong();
  private volatile long restoredGroups = -1;
  private volatile FeedbackHttp http;

  /** An answer waiting for its transaction. */
  private record Pending(FeedbackQueue.Submission submission, CompletableFuture<Void> done) {}

  /** An annotator's count and recent labels since the service started. */
  static final class Annotator {
    final AtomicLong answered = new AtomicLong();
    final Deque<PreferenceLabel> recent = new ArrayDeque<>();
  }

  /** A service whose serdes reach the registry at the cluster's registry URL. */
  public FeedbackService(FeedbackConfig config) {
    this(config, Objects.requireNonNull(config, "config").cluster().registryClient());
  }

  /** A service with a given registry client. */
  public FeedbackService(FeedbackConfig config, SchemaRegistryClient registry) {
    super(COMPONENT + "-" + Objects.requireNonNull(config, "config").instanceId());
    this.config = config;
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Clock.systemUTC();
    this.queue =
        new FeedbackQueue(
            config.quorum(), config.lease(), config.maxWait(), clock, new SecureRandom());
    this.agreement = new Agreement(config.agreementWindow());
    this.tokens = new TokenAuthenticator(config.tokens());
  }

  /** The configuration. */
  public FeedbackConfig config() {
    return config;
  }

  /** The page's address once the service runs, e.g. {@code http://127.0.0.1:8088/}. */
  public String url() {
    FeedbackHttp h = http;
    if (h == null) {
      throw new IllegalStateException("the feedback service is not running");
    }
    return "http://" + displayHost(config.host()) + ":" + h.port() + "/";
  }

  /** Labels published since the service started. */
  public long labelsPublished() {
    return labels.get();
  }

  /** Groups read back from {@code feedback} when the service started (-1 before). */
  public long restoredGroups() {
    return restoredGroups;
  }

  @Override
  protected String summary() {
    return "after " + labels.get() + " labels, " + skips.get() + " skips";
  }

  TokenAuthenticator tokens() {
    return tokens;
  }

  // ---- what the HTTP threads call -----------------------------------------------------------

  /** The item this annotator holds or a new one; empty when none waits for it. */
  Optional<FeedbackQueue.Item> next(String annotator) {
    synchronized (lock) {
      return queue.next(annotator);
    }
  }

  /**
   * Answers an item and waits until the answer is published.
   *
   * @throws FeedbackException as {@link FeedbackQueue#submit}, or 503 when Kafka did not take it
   */
  Optional<PreferenceLabel> answer(String annotator, String itemId, Answer a, String rationale)
      throws InterruptedException {
    FeedbackQueue.Submission s;
    synchronized (lock) {
      s = queue.submit(annotator, itemId, a, rationale);
    }
    Pending p = new Pending(s, new CompletableFuture<>());
    submissions.add(p);
    try {
      p.done().get(CONFIRM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof FeedbackException f
          ? f
          : new FeedbackException(503, "the answer was not published: " + e.getCause());
    } catch (TimeoutException e) {
      throw new FeedbackException(
          503,
          "the answer was not confirmed within "
              + CONFIRM_TIMEOUT.toSeconds()
              + " s; it may still be published: fetch the next item and answer again if asked");
    }
    return s.label();
  }

  /** Pairs still waiting for labels. */
  int waitingPairs() {
    synchronized (lock) {
      return queue.waitingPairs();
    }
  }

  /** Answers given by this annotator since the service started. */
  long answered(String annotator) {
    Annotator a = annotators.get(annotator);
    return a == null ? 0 : a.answered.get();
  }

  /** This annotator's most recent labels, newest first. */
  List<PreferenceLabel> recent(String annotator, int limit) {
    Annotator a = annotators.get(annotator);
    if (a == null) {
      return List.of();
    }
    synchronized (a) {
      return a.recent.stream().limit(limit).toList();
    }
  }

  /** The service's figures, as published to {@code metrics}. */
  Map<String, Double> values() {
    Map<String, Double> v = new LinkedHashMap<>();
    synchronized (lock) {
      v.put("feedback/waiting_pairs", (double) queue.waitingPairs());
      v.put("feedback/waiting_groups", (double) queue.groups());
      v.put("feedback/agreement_alpha", agreement.alpha());
      v.put("feedback/agreement_pairs", (double) agreement.pairs());
      agreement
          .withGame()
          .forEach(
              (a, c) -> {
                v.put("feedback/game_agreement/" + a, c[0]);
                v.put("feedback/game_agreement_labels/" + a, c[1]);
              });
    }
    v.put("feedback/labels", (double) labels.get());
    v.put("feedback/skips", (double) skips.get());
    v.put("feedback/groups_taken", (double) groupsTaken.get());
    v.put("feedback/groups_completed", (double) groupsCompleted.get());
    v.put("feedback/groups_expired", (double) groupsExpired.get());
    v.put("feedback/dead_lettered", (double) deadLettered.get());
    v.put("feedback/transactions_aborted", (double) aborted.get());
    long d = decided.get();
    v.put(
        "feedback/first_shown_preferred", d == 0 ? Double.NaN : (double) firstPreferred.get() / d);
    annotators.forEach((a, s) -> v.put("feedback/answered/" + a, (double) s.answered.get()));
    return v;
  }

  // ---- the Kafka thread -----------------------------------------------------------------------

  @Override
  protected void work() throws Exception {
    AvroDeserializer<SampleGroup> samples = TopicSerdes.valueDeserializer(Topics.SAMPLES, registry);
    AvroDeserializer<FeedbackItem> itemsIn =
        TopicSerdes.valueDeserializer(Topics.FEEDBACK, registry);
    AvroSerializer<FeedbackItem> itemsOut =
        TopicSerdes.valueSerializer(Topics.FEEDBACK, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<PreferenceLabel> labelsOut =
        TopicSerdes.valueSerializer(Topics.LABELS, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<DeadLetter> letters =
        TopicSerdes.valueSerializer(
            Topics.DEAD_LETTERS, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<MetricEvent> metricValues =
        TopicSerdes.valueSerializer(Topics.METRICS, registry, SchemaRegistration.AUTO_REGISTER);
    RecordValidation validation = new RecordValidation(config.limits());

    KafkaConsumer<byte[], byte[]> consumer = own(consumer());
    onStop(consumer::wakeup);
    List<TopicPartition> parts =
        TopicPartitions.of(name(), consumer, Topics.SAMPLES.name(), startTimeLeft());
    for (String topic :
        List.of(
            Topics.LABELS.name(),
            Topics.FEEDBACK.name(),
            Topics.DEAD_LETTERS.name(),
            Topics.METRICS.name())) {
      TopicPartitions.of(name(), consumer, topic, startTimeLeft());
    }
    KafkaProducer<String, byte[]> producer = own(producer());
    producer.initTransactions(); // fences a predecessor and ends its open transaction
    restore(itemsIn);
    consumer.assign(parts);
    TopicPartitions.rewind(consumer, consumer.assignment());
    ConsumerGroupMetadata group = new ConsumerGroupMetadata(config.applicationId());
    MetricsSender sender =
        new MetricsSender(COMPONENT, config.instanceId(), producer, metricValues, clock);

    http = own(new FeedbackHttp(this, config));
    if (!markRunning()) {
      return;
    }
    LOG.info(
        "{} running at {} ({} groups waiting, quorum {})",
        name(),
        url(),
        queue.groups(),
        config.quorum());
    long nextMetrics = System.nanoTime();
    long nextExpiry = System.nanoTime();
    boolean paused = false;
    try {
      while (!stopRequested()) {
        boolean full = waitingPairs() >= config.maxWaitingPairs();
        if (full != paused) {
          if (full) {
            consumer.pause(parts);
          } else {
            consumer.resume(parts);
          }
          paused = full;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        List<Pending> batch = new ArrayList<>();
        submissions.drainTo(batch, 1000);
        List<String> expired = List.of();
        if (System.nanoTime() - nextExpiry >= 0) {
          synchronized (lock) {
            expired = queue.expireGroups();
          }
          nextExpiry = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        }
        boolean metricsDue = System.nanoTime() - nextMetrics >= 0;
        if (records.isEmpty() && batch.isEmpty() && expired.isEmpty() && !metricsDue) {
          continue;
        }
        if (metricsDue) {
          nextMetrics = System.nanoTime() + config.metricsInterval().toNanos();
        }
        publish(
            producer,
            consumer,
            group,
            records,
            batch,
            expired,
            metricsDue,
            sender,
            samples,
            validation,
            itemsOut,
            labelsOut,
            letters);
      }
    } finally {
      for (Pending p = submissions.poll(); p != null; p = submissions.poll()) {
        synchronized (lock) {
          queue.release(p.submission());
        }
        p.done().completeExceptionally(new FeedbackException(503, "the service is stopping"));
      }
    }
  }

  @SuppressWarnings("checkstyle:ParameterNumber")
  private void publish(
      KafkaProducer<String, byte[]> producer,
      KafkaConsumer<byte[], byte[]> consumer,
      ConsumerGroupMetadata group,
      ConsumerRecords<byte[], byte[]> records,
      List<Pending> batch,
      List<String> expired,
      boolean metricsDue,
      MetricsSender sender,
      AvroDeserializer<SampleGroup> samples,
      RecordValidation validation,
      AvroSerializer<FeedbackItem> itemsOut,
      AvroSerializer<PreferenceLabel> labelsOut,
      AvroSerializer<DeadLetter> letters) {
    Instant now = clock.instant();
    synchronized (lock) {
      List<FeedbackQueue.Submission> applied = new ArrayList<>();
      List<FeedbackItem> taken = new ArrayList<>();
      List<FeedbackQueue.Change> changes = new ArrayList<>();
      int letterCount = 0;
      producer.beginTransaction();
      try {
        for (ConsumerRecord<byte[], byte[]> record : records) {
          RecordValidation.Checked<SampleGroup> checked =
              validation.sampleGroup(
                  samples,
                  record.topic(),
                  record.partition(),
                  record.offset(),
                  record.key(),
                  record.value());
          if (!checked.accepted()) {
            DeadLetter letter =
                DeadLetters.of(
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    record.value(),
                    checked.rejection().reason(),
                    checked.rejection().message(),
                    COMPONENT,
                    now);
            producer.send(
                new ProducerRecord<>(
                    Topics.DEAD_LETTERS.name(), letter.getSourceTopic(), letters.encode(letter)));
            letterCount++;
            continue;
          }
          SampleGroup g = checked.value();
          if (queue.contains(g.getGroupId())) {
            continue; // a re-sent group already waiting: the label join dead-letters the copy
          }
          FeedbackItem item = newItem(g, now);
          producer.send(
              new ProducerRecord<>(Topics.FEEDBACK.name(), g.getGroupId(), itemsOut.encode(item)));
          taken.add(item);
        }
        for (Pending p : batch) {
          FeedbackQueue.Submission s = p.submission();
          FeedbackQueue.Change change = queue.apply(s);
          applied.add(s);
          changes.add(change);
          Optional<PreferenceLabel> label = s.label();
          if (label.isPresent()) {
            producer.send(
                new ProducerRecord<>(
                    Topics.LABELS.name(), s.groupId(), labelsOut.encode(label.get())));
          }
          producer.send(
              new ProducerRecord<>(
                  Topics.FEEDBACK.name(),
                  change.groupId(),
                  change.item() == null ? null : itemsOut.encode(change.item())));
        }
        for (String id : expired) {
          producer.send(new ProducerRecord<>(Topics.FEEDBACK.name(), id, null));
        }
        if (metricsDue) {
          sender.send(-1, -1, values(), Map.of("judgeKind", JudgeKind.HUMAN.name()));
        }
        if (!records.isEmpty()) {
          producer.sendOffsetsToTransaction(TopicPartitions.nextOffsets(records), group);
        }
        producer.commitTransaction();
      } catch (ProducerFencedException
          | OutOfOrderSequenceException
          | AuthorizationException fatal) {
        undo(applied, batch, fatal);
        throw fatal; // another instance took over, or the producer can no longer be used
      } catch (RuntimeException e) { // the cluster or the registry failed this batch
        LOG.warn(
            "{}: transaction aborted ({}); the answers are refused with 503", name(), e.toString());
        aborted.incrementAndGet();
        try {
          producer.abortTransaction();
        } finally {
          undo(applied, batch, e);
          TopicPartitions.rewind(consumer, consumer.assignment());
        }
        return;
      }
      // committed: now it counts
      for (FeedbackItem item : taken) {
        queue.put(item);
      }
      groupsTaken.addAndGet(taken.size());
      deadLettered.addAndGet(letterCount);
      for (String id : expired) {
        queue.remove(id);
      }
      groupsExpired.addAndGet(expired.size());
      for (int k = 0; k < batch.size(); k++) {
        FeedbackQueue.Submission s = applied.get(k);
        queue.finish(s);
        count(s, changes.get(k));
      }
    }
    for (Pending p : batch) {
      p.done().complete(null);
    }
  }

  private void undo(List<FeedbackQueue.Submission> applied, List<Pending> batch, Exception why) {
    for (int k = applied.size() - 1; k >= 0; k--) {
      queue.revert(applied.get(k));
    }
    for (int k = applied.size(); k < batch.size(); k++) {
      queue.release(batch.get(k).submission());
    }
    for (Pending p : batch) {
      p.done()
          .completeExceptionally(
              new FeedbackException(
                  503, "the answer was not published (" + why.getMessage() + "); answer again"));
    }
  }

  private void count(FeedbackQueue.Submission s, FeedbackQueue.Change change) {
    Annotator a = annotators.computeIfAbsent(s.annotator(), k -> new Annotator());
    a.answered.incrementAndGet();
    Optional<PreferenceLabel> label = s.label();
    if (label.isEmpty()) {
      skips.incrementAndGet();
      return;
    }
    labels.incrementAndGet();
    if (change.item() == null) {
      groupsCompleted.incrementAndGet();
    }
    PreferenceLabel l = label.get();
    if (l.getVerdict() == LabelVerdict.I_BETTER || l.getVerdict() == LabelVerdict.J_BETTER) {
      int winner = l.getVerdict() == LabelVerdict.I_BETTER ? l.getI() : l.getJ();
      decided.incrementAndGet();
      if (winner == l.getShownFirst()) {
        firstPreferred.incrementAndGet();
      }
    }
    synchronized (a) {
      a.recent.addFirst(l);
      while (a.recent.size() > RECENT_LABELS) {
        a.recent.removeLast();
      }
    }
    agreement.record(
        s.groupId() + "/" + l.getI() + "/" + l.getJ(),
        s.annotator(),
        l.getVerdict(),
        gamePreference(s.task(), s.texts()),
        change.pairComplete());
  }

  /** The game's P(i over j) for a game task, NaN for any other. */
  private double gamePreference(String task, List<String> texts) {
    Optional<PreferenceGame> game =
        games.computeIfAbsent(
            task,
            t -> {
              try {
                return Optional.of(Games.parse(t));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            });
    if (game.isEmpty()) {
      return Double.NaN;
    }
    return game.get().judge(texts.get(0), texts.get(1));
  }

  private static FeedbackItem newItem(SampleGroup g, Instant now) {
    int size = g.getResponses().size();
    List<FeedbackPair> pairs = new ArrayList<>(Pairs.count(size));
    for (int i = 0; i < size; i++) {
      for (int j = i + 1; j < size; j++) {
        pairs.add(
            FeedbackPair.newBuilder()
                .setI(i)
                .setJ(j)
                .setLabelledBy(List.of())
                .setSkippedBy(List.of())
                .build());
      }
    }
    return FeedbackItem.newBuilder()
        .setGroupId(g.getGroupId())
        .setModelId(g.getModelId())
        .setTask(g.getTask())
        .setPrompt(g.getPrompt())
        .setResponses(g.getResponses().stream().map(Response::getText).toList())
        .setPolicyVersion(g.getPolicyVersion())
        .setArrived(now)
        .setPairs(pairs)
        .build();
  }

  /** Reads the compacted {@code feedback} topic to its end: the queue as it was. */
  private void restore(AvroDeserializer<FeedbackItem> items) {
    Map<String, FeedbackItem> state = new LinkedHashMap<>();
    Properties p = config.cluster().clientProperties(name() + "-restore");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            p,
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          TopicPartitions.of(name(), c, Topics.FEEDBACK.name(), startTimeLeft());
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, startTimeLeft());
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (startTimeLeft().isZero() || stopRequested()) {
          throw new ServiceException(name() + ": could not read the feedback topic back in time");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            state.remove(r.key());
          } else {
            FeedbackItem item = items.decode(r);
            state.put(item.getGroupId(), item); // a group keeps its first place
          }
        }
      }
    }
    List<FeedbackItem> ordered = new ArrayList<>(state.values());
    ordered.sort((a, b) -> a.getArrived().compareTo(b.getArrived()));
    synchronized (lock) {
      for (FeedbackItem item : ordered) {
        queue.put(item);
      }
    }
    restoredGroups = ordered.size();
    LOG.info("{}: {} groups waiting after reading the feedback topic back", name(), ordered.size());
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = config.cluster().clientProperties(name() + "-samples");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = config.cluster().clientProperties(name() + "-labels");
    p.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.applicationId() + "-" + config.instanceId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static String displayHost(String host) {
    return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
  }
}
