package dev.lodestone.judge.llm;

import dev.lodestone.judge.PairLabels;
import dev.lodestone.judge.streams.StreamsAppConfig;
import dev.lodestone.judge.streams.internal.RecordValidation;
import dev.lodestone.judge.streams.internal.Rejection;
import dev.lodestone.schemas.Topics;
import dev.lodestone.schemas.avro.DeadLetter;
import dev.lodestone.schemas.avro.JudgeKind;
import dev.lodestone.schemas.avro.MetricEvent;
import dev.lodestone.schemas.avro.PreferenceLabel;
import dev.lodestone.schemas.avro.SampleGroup;
import dev.lodestone.schemas.registry.SchemaRegistryClient;
import dev.lodestone.schemas.serde.AvroDeserializer;
import dev.lodestone.schemas.serde.AvroSerializer;
import dev.lodestone.schemas.serde.DeadLetterReason;
import dev.lodestone.schemas.serde.DeadLetters;
import dev.lodestone.schemas.serde.SchemaRegistration;
import dev.lodestone.schemas.serde.TopicSerdes;
import dev.lodestone.service.MetricsSender;
import dev.lodestone.service.ServiceThread;
import dev.lodestone.service.TopicPartitions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LLM judge as a service of its own: consumes {@code samples}, asks the model about every pair
 * of each group of its task ({@link LlmJudge}), and produces one {@link PreferenceLabel} per pair
 * to {@code labels}, kind {@link JudgeKind#LLM}.
 *
 * <p>It is a consume-transform-produce loop with exactly-once output. A poll's groups are judged
 * concurrently while no transaction is open; then one transaction writes their labels and dead
 * letters and commits the consumed offsets to the consumer group {@link
 * LlmJudgeConfig#applicationId()}. A crash or a rebalance before the commit leaves nothing visible
 * to {@code read_committed} readers, and the groups are judged again; so no group is labelled twice
 * and none is lost. A group whose calls fail after their retries goes to {@code dead-letters}
 * ({@code JUDGE_FAILED}, with the failure) in the same transaction; invalid and undecodable records
 * go there too. Nothing waits on one group beyond its calls' bounded retries.
 *
 * <p>Instances with the same application id share the partitions of {@code samples}.
 */
public final class LlmJudgeService extends ServiceThread {
  /** The component name in metrics and dead letters. */
  public static final String COMPONENT = "judge";

  private static final Logger LOG = LoggerFactory.getLogger(LlmJudgeService.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final LlmJudgeConfig config;
  private final SchemaRegistryClient registry;
  private final LlmJudgeMetrics metrics = new LlmJudgeMetrics();
  private final Clock clock = Clock.systemUTC();
  private volatile LlmJudge judge;

  /** A service whose serdes reach the registry at the cluster's registry URL. */
  public LlmJudgeService(LlmJudgeConfig config) {
    this(config, Objects.requireNonNull(config, "config").cluster().registryClient());
  }

  /** A service with a given registry client. */
  public LlmJudgeService(LlmJudgeConfig config, SchemaRegistryClient registry) {
    super(COMPONENT + "-" + Objects.requireNonNull(config, "config").instanceId());
    this.config = config;
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** What this instance has done since it started. */
  public LlmJudgeMetrics metrics() {
    return metrics;
  }

  /** The configuration. */
  public LlmJudgeConfig config() {
    return config;
  }

  @Override
  protected String summary() {
    return "after "
        + metrics.groupsJudged()
        + " groups judged, "
        + metrics.groupsDeadLettered()
        + " dead-lettered, "
        + metrics.calls()
        + " calls";
  }

  @Override
  protected void work() throws Exception {
    AvroDeserializer<SampleGroup> samples = TopicSerdes.valueDeserializer(Topics.SAMPLES, registry);
    AvroSerializer<PreferenceLabel> labels =
        TopicSerdes.valueSerializer(Topics.LABELS, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<DeadLetter> letters =
        TopicSerdes.valueSerializer(
            Topics.DEAD_LETTERS, registry, SchemaRegistration.AUTO_REGISTER);
    AvroSerializer<MetricEvent> metricValues =
        TopicSerdes.valueSerializer(Topics.METRICS, registry, SchemaRegistration.AUTO_REGISTER);
    RecordValidation validation = new RecordValidation(config.limits());

    KafkaConsumer<byte[], byte[]> consumer = own(consumer());
    onStop(consumer::wakeup);
    for (String topic :
        List.of(
            Topics.SAMPLES.name(),
            Topics.LABELS.name(),
            Topics.DEAD_LETTERS.name(),
            Topics.METRICS.name())) {
      TopicPartitions.of(name(), consumer, topic, startTimeLeft());
    }
    KafkaProducer<String, byte[]> producer = own(producer());
    producer.initTransactions();
    judge = own(new LlmJudge(config, metrics));
    LlmJudge calls = judge;
    onStop(calls::close); // a stop ends the calls in flight
    MetricsSender sender =
        new MetricsSender(COMPONENT, config.instanceId(), producer, metricValues, clock);
    consumer.subscribe(List.of(Topics.SAMPLES.name()));
    if (!markRunning()) {
      return;
    }
    LOG.info("{} running: {}", name(), config);
    long nextMetrics = System.nanoTime();
    while (!stopRequested()) {
      ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
      boolean metricsDue = System.nanoTime() - nextMetrics >= 0;
      if (records.isEmpty() && !metricsDue) {
        continue;
      }
      List<Outcome> outcomes = new ArrayList<>(records.count());
      for (ConsumerRecord<byte[], byte[]> record : records) {
        outcomes.add(start(record, samples, validation, calls));
      }
      for (Outcome o : outcomes) {
        o.await();
      }
      if (stopRequested()) {
        return; // nothing committed: the groups are judged again after a restart
      }
      producer.beginTransaction();
      try {
        for (Outcome o : outcomes) {
          o.publish(producer, labels, letters);
        }
        if (metricsDue) {
          sender.send(
              -1,
              -1,
              metrics.values(),
              Map.of(
                  "judgeId", config.judgeId(),
                  "judgeKind", JudgeKind.LLM.name(),
                  "model", config.model(),
                  "breaker", calls.breakerState()));
          nextMetrics = System.nanoTime() + config.metricsInterval().toNanos();
        }
        if (!records.isEmpty()) {
          producer.sendOffsetsToTransaction(
              TopicPartitions.nextOffsets(records), consumer.groupMetadata());
        }
        producer.commitTransaction();
        for (Outcome o : outcomes) {
          o.count();
        }
      } catch (ProducerFencedException
          | OutOfOrderSequenceException
          | AuthorizationException fatal) {
        throw fatal; // another instance took over, or the producer can no longer be used
      } catch (KafkaException e) {
        LOG.warn(
            "{}: transaction aborted ({}); the batch's groups are judged again",
            name(),
            e.toString());
        producer.abortTransaction();
        TopicPartitions.rewind(consumer, records.partitions());
      }
    }
  }

  private Outcome start(
      ConsumerRecord<byte[], byte[]> record,
      AvroDeserializer<SampleGroup> samples,
      RecordValidation validation,
      LlmJudge calls) {
    byte[] key = record.key();
    RecordValidation.Checked<SampleGroup> checked =
        validation.sampleGroup(
            samples, record.topic(), record.partition(), record.offset(), key, record.value());
    if (!checked.accepted()) {
      return new Outcome(record, key, null, null, checked.rejection());
    }
    SampleGroup group = checked.value();
    if (!config.task().equals(group.getTask())) {
      return new Outcome(record, key, group, null, null);
    }
    return new Outcome(record, key, group, calls.judge(group), null);
  }

  /** One consumed record's fate: labels, a dead letter, or nothing (another task's group). */
  private final class Outcome {
    private final ConsumerRecord<byte[], byte[]> record;
    private final byte[] key;
    private final SampleGroup group;
    private final CompletableFuture<double[]> preferences;
    private Rejection rejection;
    private double[] p;
    private LlmCallException failure;

    Outcome(
        ConsumerRecord<byte[], byte[]> record,
        byte[] key,
        SampleGroup group,
        CompletableFuture<double[]> preferences,
        Rejection rejection) {
      this.record = record;
      this.key = key;
      this.group = group;
      this.preferences = preferences;
      this.rejection = rejection;
    }

    /** Waits for the group's calls; returns early, with nothing, when a stop is requested. */
    void await() throws InterruptedException {
      if (preferences == null) {
        return;
      }
      try {
        while (true) {
          try {
            p = preferences.get(200, TimeUnit.MILLISECONDS);
            return;
          } catch (TimeoutException e) {
            if (stopRequested()) {
              return; // calls cut short by the stop: the batch is not committed
            }
          }
        }
      } catch (ExecutionException e) {
        Throwable cause =
            e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
        failure = LlmCallException.classify(cause);
      }
    }

    void publish(
        KafkaProducer<String, byte[]> producer,
        AvroSerializer<PreferenceLabel> labels,
        AvroSerializer<DeadLetter> letters) {
      Instant now = clock.instant();
      if (rejection != null) {
        deadLetter(producer, letters, rejection.reason(), rejection.message(), now);
      } else if (failure != null) {
        deadLetter(
            producer,
            letters,
            DeadLetterReason.JUDGE_FAILED,
            "judge "
                + config.judgeId()
                + " could not label group "
                + group.getGroupId()
                + " within "
                + config.maxAttempts()
                + " attempts per call: "
                + failure.getMessage(),
            now);
      } else if (p != null) {
        for (PreferenceLabel label :
            PairLabels.of(group, p, config.judgeId(), JudgeKind.LLM, now)) {
          producer.send(
              new ProducerRecord<>(Topics.LABELS.name(), group.getGroupId(), labels.encode(label)));
        }
      }
    }

    private void deadLetter(
        KafkaProducer<String, byte[]> producer,
        AvroSerializer<DeadLetter> letters,
        DeadLetterReason reason,
        String message,
        Instant now) {
      DeadLetter letter =
          DeadLetters.of(
              record.topic(),
              record.partition(),
              record.offset(),
              key,
              record.value(),
              reason,
              message,
              COMPONENT,
              now);
      producer.send(
          new ProducerRecord<>(
              Topics.DEAD_LETTERS.name(), letter.getSourceTopic(), letters.encode(letter)));
    }

    /** Counts the outcome once its transaction committed. */
    void count() {
      if (rejection != null) {
        metrics.invalidRecord();
      } else if (failure != null) {
        metrics.groupDeadLettered();
      } else if (p != null) {
        metrics.groupJudged();
      } else {
        metrics.groupSkipped();
      }
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer() {
    Properties p = config.cluster().clientProperties(name() + "-samples");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.applicationId());
    // Static membership, as the Streams applications (StreamsAppConfig.SESSION_TIMEOUT_MS).
    p.put(
        ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
        config.applicationId() + "-" + config.instanceId());
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, StreamsAppConfig.SESSION_TIMEOUT_MS);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxGroupsPerBatch());
    // a batch's calls happen between two polls: allow their worst case, retries included
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis());
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = config.cluster().clientProperties(name() + "-labels");
    p.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.applicationId() + "-" + config.instanceId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}
